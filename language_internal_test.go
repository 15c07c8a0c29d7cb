package verify

import "testing"

// BenchmarkChooseLanguage is the language choice alone, a part of every
// Start: by the number's country, and by the user's languages as a
// browser sends them.
func BenchmarkChooseLanguage(b *testing.B) {
	lm := newLanguageMatcher()
	for _, bc := range []struct {
		name string
		user []string
	}{
		{"Country", nil},
		{"User", []string{"de-CH", "de", "en"}},
		{"UserNoRegion", []string{"fr", "en"}},
		{"UserNoneSpoken", []string{"sv-SE", "sv", "da", "nb"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := message{userLangs: bc.user}
			b.ReportAllocs()
			for b.Loop() {
				if lm.choose(&m, "CA") == "" {
					b.Fatal("no language")
				}
			}
		})
	}
}
