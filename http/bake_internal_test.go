package http

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/phoneverify/verify"
	"github.com/phoneverify/verify/fake"
)

func newBakeTestHandler(t *testing.T, opts ...Option) *handler {
	t.Helper()
	v, err := verify.New(fake.New())
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(v, append([]Option{WithSecret([]byte("0123456789abcdef0123456789abcdef"))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return h.(*handler)
}

// baked returns the languages whose templates are baked.
func baked(h *handler) []string {
	var langs []string
	for i := range h.templates.langs {
		if h.templates.langs[i].Load() != nil {
			langs = append(langs, h.texts.langs[i].String())
		}
	}
	return langs
}

// TestTemplatesBakedOnFirstUse checks that a language's templates are
// baked when a page is first rendered in it, once, also when many
// requests in many languages come at once.
func TestTemplatesBakedOnFirstUse(t *testing.T) {
	h := newBakeTestHandler(t)
	if got := baked(h); len(got) != 1 || got[0] != "en" {
		t.Fatalf("baked after New: %q, want [en]", got)
	}
	get := func(lang string) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Body.String()
	}
	if body := get("de"); !strings.Contains(body, `lang="de"`) || !strings.Contains(body, "Telefonnummer") {
		t.Fatalf("German page: %s", body)
	}
	if got := baked(h); strings.Join(got, " ") != "en de" {
		t.Fatalf("baked after a German page: %q, want [en de]", got)
	}
	de := h.texts.localizer("de").i
	first := h.templates.langs[de].Load()
	get("de")
	if h.templates.langs[de].Load() != first {
		t.Fatal("German templates baked again")
	}

	langs := []string{"nl", "fr", "es", "it", "pt-BR", "pt-PT", "pl", "ro", "ru", "zh-Hans", "zh-Hant", "ja", "ko", "is"}
	var wg sync.WaitGroup
	for range 4 {
		for _, lang := range langs {
			wg.Go(func() {
				if body := get(lang); !strings.Contains(body, `lang="`+lang) {
					t.Errorf("%s page: %.200s", lang, body)
				}
			})
		}
	}
	wg.Wait()
	if got := baked(h); len(got) != len(h.texts.langs) {
		t.Fatalf("baked after every language: %q", got)
	}
}

// TestTemplatesUnbakeable checks that when a language cannot be baked,
// the error is logged and the templates as they are render its pages.
func TestTemplatesUnbakeable(t *testing.T) {
	var logs bytes.Buffer
	h := newBakeTestHandler(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	// A template once executed cannot be copied: baking then fails.
	if err := h.templates.src.ExecuteTemplate(io.Discard, "lang", &Page{}); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "de")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "Telefonnummer") {
		t.Fatalf("German page, unbaked: %d %s", w.Code, body)
	}
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "could not be baked") {
		t.Errorf("log: %s", logs.String())
	}
	if h.templates.langs[h.texts.localizer("de").i].Load() != h.templates.plain {
		t.Error("the templates as they are were not kept for German")
	}
}

// TestDefaultTextsShared checks that handlers without WithLanguages and
// WithMessages share one catalog, and that a handler's own texts change
// neither it nor the pages of the others.
func TestDefaultTextsShared(t *testing.T) {
	a := newBakeTestHandler(t)
	own := newBakeTestHandler(t, WithMessages("en", map[string]string{"phone_submit": "Go on"}))
	b := newBakeTestHandler(t)
	if a.texts != b.texts || own.texts == a.texts {
		t.Fatal("handlers without options do not share their catalog, or one with WithMessages shares it")
	}
	for h, want := range map[*handler]string{a: "Send me a code", own: "Go on", b: "Send me a code"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if !strings.Contains(w.Body.String(), ">"+want+"</button>") {
			t.Errorf("phone form without %q: %s", want, w.Body.String())
		}
	}
}
