package http

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"sync"
	"sync/atomic"
	"text/template/parse"

	"github.com/phoneverify/verify"
)

// bake returns a copy of src for the language of index i, in which the
// actions that show a text are replaced by that text, escaped: the pages
// of every language then render as fast as templates written in one.
// Where dot is the page (or with $), it replaces
//
//	{{.Text.id}}                 by the text id
//	{{.T "id" arg}}              by the text id around {{arg}}, when id has one argument
//	{{.T "id" (.Strong arg)}}    the same, with <strong>{{arg}}</strong>
//
// which render as the methods do in HTML text and quoted attributes (a
// template's method call is a slow reflective one). src must never be
// executed (html/template escapes a tree when it is first executed, and a
// clone shares its trees until replaced: every tree of a copy is a copy).
func (t *texts) bake(src *template.Template, i int) (*template.Template, error) {
	b := baker{texts: t.html[i], around: t.around[i]}
	return copyTemplates(src, func(root *parse.ListNode) { b.list(root, true) })
}

// copyTemplates returns a copy of t that shares no tree with it, each
// tree changed by edit, if not nil. t must not have been executed.
func copyTemplates(t *template.Template, edit func(*parse.ListNode)) (*template.Template, error) {
	c, err := t.Clone()
	if err != nil {
		return nil, fmt.Errorf("%w: verifyhttp: templates: %v", verify.ErrInvalidOption, err)
	}
	for _, tt := range c.Templates() {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		tree := tt.Tree.Copy()
		if edit != nil {
			edit(tree.Root)
		}
		if _, err := c.AddParseTree(tt.Name(), tree); err != nil {
			return nil, fmt.Errorf("%w: verifyhttp: templates: %v", verify.ErrInvalidOption, err)
		}
	}
	return c, nil
}

// baker bakes the texts of one language into templates.
type baker struct {
	texts  map[string]template.HTML // the texts without arguments, escaped
	around map[string][2]string     // the escaped text before and after the one argument of a text
}

// list replaces in l the actions that show a text; dotIsPage says
// whether dot is still what the template was called with (not inside a
// with or range).
func (b baker) list(l *parse.ListNode, dotIsPage bool) {
	if l == nil {
		return
	}
	nodes := make([]parse.Node, 0, len(l.Nodes))
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			nodes = b.action(nodes, n, dotIsPage, false)
			continue
		case *parse.IfNode:
			b.list(n.List, dotIsPage)
			b.list(n.ElseList, dotIsPage)
		case *parse.WithNode:
			b.list(n.List, false)
			b.list(n.ElseList, dotIsPage)
		case *parse.RangeNode:
			b.list(n.List, false)
			b.list(n.ElseList, dotIsPage)
		case *parse.ListNode:
			b.list(n, dotIsPage)
		}
		nodes = append(nodes, n)
	}
	l.Nodes = nodes
}

// action appends to nodes the action a, or what it bakes into; inT says
// that a is the argument of a call of T.
func (b baker) action(nodes []parse.Node, a *parse.ActionNode, dotIsPage, inT bool) []parse.Node {
	text := func(s string) *parse.TextNode {
		return &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(s)}
	}
	if a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 {
		return append(nodes, a)
	}
	args := a.Pipe.Cmds[0].Args
	ident := pageIdent(args[0], dotIsPage)
	switch {
	case len(ident) == 2 && ident[0] == "Text" && len(args) == 1: // {{.Text.id}}
		if s, ok := b.texts[ident[1]]; ok {
			return append(nodes, text(string(s)))
		}
	case len(ident) == 1 && ident[0] == "T" && len(args) == 3: // {{.T "id" arg}}
		id, ok := args[1].(*parse.StringNode)
		if !ok {
			break
		}
		if parts, ok := b.around[id.Text]; ok {
			nodes = append(nodes, text(parts[0]))
			nodes = b.action(nodes, argAction(a, args[2]), dotIsPage, true)
			return append(nodes, text(parts[1]))
		}
	case len(ident) == 1 && ident[0] == "Strong" && len(args) == 2 && inT: // (.Strong arg) in T
		nodes = append(nodes, text("<strong>"))
		nodes = b.action(nodes, argAction(a, args[1]), dotIsPage, false)
		return append(nodes, text("</strong>"))
	}
	return append(nodes, a)
}

// pageIdent returns the chain of names n reads from the page, [Text id]
// for {{.Text.id}} or {{$.Text.id}}; nil when n is not such a chain or
// dot is not the page.
func pageIdent(n parse.Node, dotIsPage bool) []string {
	switch n := n.(type) {
	case *parse.FieldNode:
		if dotIsPage {
			return n.Ident
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" { // the parser gives a variable at least its name
			return n.Ident[1:]
		}
	}
	return nil
}

// argAction returns an action, at a, that shows arg.
func argAction(a *parse.ActionNode, arg parse.Node) *parse.ActionNode {
	pipe, ok := arg.(*parse.PipeNode)
	if !ok {
		pipe = &parse.PipeNode{NodeType: parse.NodePipe, Pos: a.Pos, Line: a.Line,
			Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand, Pos: a.Pos, Args: []parse.Node{arg}}}}
	}
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: a.Pos, Line: a.Line, Pipe: pipe}
}

// bakedTemplates holds the templates of each language, baked on first
// use: an app that serves a few languages keeps only theirs (a baked
// copy of the pages is about 100 KB).
type bakedTemplates struct {
	src   *template.Template // the templates, never executed: what is baked
	plain *template.Template // the templates as they are: what renders if baking fails
	mu    sync.Mutex         // held while baking
	langs []atomic.Pointer[template.Template]
}

// templatesFor returns the templates that render p, once localized:
// those with the texts of p's language in place.
func (h *handler) templatesFor(p *Page) *template.Template {
	b := &h.templates
	i := p.loc.i
	if t := b.langs[i].Load(); t != nil {
		return t
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.langs[i].Load(); t != nil {
		return t
	}
	t, err := h.texts.bake(b.src, i)
	if err != nil {
		// New baked a language already, so this does not happen; the
		// templates as they are render the same pages, more slowly.
		h.logAttrs(context.Background(), slog.LevelError, "verifyhttp: templates could not be baked", slog.String("error", err.Error()))
		t = b.plain
	}
	b.langs[i].Store(t)
	return t
}
