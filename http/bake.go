package http

import (
	"fmt"
	"html/template"
	"text/template/parse"

	"github.com/phoneverify/verify"
)

// bake returns a copy of t for each offered language, in which every
// action that shows a text without arguments, {{.Text.id}} where dot is
// the page or {{$.Text.id}}, is replaced by that text, escaped: the pages
// of every language then render as fast as templates written in one. It
// must be called before t is executed (html/template escapes a tree when
// it is first executed, and a clone shares its trees until replaced:
// every tree of a copy is a copy).
func (t *texts) bake(tmpl *template.Template) ([]*template.Template, error) {
	baked := make([]*template.Template, len(t.langs))
	for i := range t.langs {
		c, err := tmpl.Clone()
		if err != nil {
			return nil, fmt.Errorf("%w: verifyhttp: templates: %v", verify.ErrInvalidOption, err)
		}
		for _, tt := range c.Templates() {
			if tt.Tree == nil || tt.Tree.Root == nil {
				continue
			}
			tree := tt.Tree.Copy()
			bakeList(tree.Root, t.html[i], true)
			if _, err := c.AddParseTree(tt.Name(), tree); err != nil {
				return nil, fmt.Errorf("%w: verifyhttp: templates: %v", verify.ErrInvalidOption, err)
			}
		}
		baked[i] = c
	}
	return baked, nil
}

// bakeList replaces in l the actions that show a text of texts; dotIsPage
// says whether dot is still what the template was called with (not
// inside a with or range).
func bakeList(l *parse.ListNode, texts map[string]template.HTML, dotIsPage bool) {
	if l == nil {
		return
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if s, ok := bakedText(n, texts, dotIsPage); ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(s)}
			}
		case *parse.IfNode:
			bakeList(n.List, texts, dotIsPage)
			bakeList(n.ElseList, texts, dotIsPage)
		case *parse.WithNode:
			bakeList(n.List, texts, false)
			bakeList(n.ElseList, texts, dotIsPage)
		case *parse.RangeNode:
			bakeList(n.List, texts, false)
			bakeList(n.ElseList, texts, dotIsPage)
		case *parse.ListNode:
			bakeList(n, texts, dotIsPage)
		}
	}
}

// bakedText returns the text an action shows when it is only
// {{.Text.id}} (dot being the page) or {{$.Text.id}} of a known id.
func bakedText(a *parse.ActionNode, texts map[string]template.HTML, dotIsPage bool) (template.HTML, bool) {
	if a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 1 {
		return "", false
	}
	var ident []string
	switch arg := a.Pipe.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		if !dotIsPage {
			return "", false
		}
		ident = arg.Ident
	case *parse.VariableNode:
		if len(arg.Ident) == 0 || arg.Ident[0] != "$" {
			return "", false
		}
		ident = arg.Ident[1:]
	default:
		return "", false
	}
	if len(ident) != 2 || ident[0] != "Text" {
		return "", false
	}
	s, ok := texts[ident[1]]
	return s, ok
}

// templatesFor returns the templates that render p, once localized:
// those with the texts of p's language in place.
func (h *handler) templatesFor(p *Page) *template.Template {
	return h.baked[p.loc.i]
}
