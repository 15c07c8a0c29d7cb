package verify

import "sync"

// maxCachedNumbers bounds a numberCache: about 200 bytes a number.
const maxCachedNumbers = 1024

// numberCache remembers the numbers a Verifier recently started
// verifications of, parsed, with their regions, so that Check's policy
// re-check of the number the provider reports verified does not parse
// it again: parsing runs the line-type patterns of the number's country,
// the larger part of a check's own cost. What it holds are facts about
// numbers (their line type and region), not the Verifier's verdicts, so
// a number missing from it is only parsed. When full, an arbitrary entry
// (the first of a map's randomized iteration) makes room.
type numberCache struct {
	mu sync.Mutex
	m  map[string]parsedNumber
}

// parsedNumber is a parsed number and its region.
type parsedNumber struct {
	p      phone
	region string
}

func (c *numberCache) add(p phone, region string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]parsedNumber)
	}
	if _, ok := c.m[p.e164]; !ok && len(c.m) >= maxCachedNumbers {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[p.e164] = parsedNumber{p, region}
}

// get returns the number e164 (in E.164 form) parsed, and its region,
// parsing it when it is not cached; ok is false for a string that is not
// a valid number in E.164 form.
func (c *numberCache) get(e164 string) (p phone, region string, ok bool) {
	c.mu.Lock()
	n, ok := c.m[e164]
	c.mu.Unlock()
	if ok {
		return n.p, n.region, true
	}
	if p, ok = parseE164(e164); !ok {
		return phone{}, "", false
	}
	return p, p.region(), true
}
