package customersd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Decimal is a fixed-point amount in ten-thousandths. BigCommerce sends
// amounts as strings with four decimals ("10.5000"); holding them as integers
// keeps arithmetic and comparisons exact.
type Decimal int64

const decimalScale = 10000

// ParseDecimal reads "10", "10.5", "-3.1234" or "1e2". More than four
// decimals are rounded half away from zero, as the store would display them.
func ParseDecimal(s string) (Decimal, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if !strings.ContainsAny(s, "eE") {
		if d, ok := parsePlainDecimal(s); ok {
			return d, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxInt64/decimalScale/2 {
		return 0, false
	}
	return Decimal(math.Round(f * decimalScale)), true
}

// parsePlainDecimal parses digits with an optional sign and point without
// going through float64, so "0.1" is exactly 1000.
func parsePlainDecimal(s string) (Decimal, bool) {
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(whole) > 14 || !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	var n int64
	for _, c := range whole {
		n = n*10 + int64(c-'0')
	}
	var f int64
	for i := range 4 {
		f *= 10
		if i < len(frac) {
			f += int64(frac[i] - '0')
		}
	}
	if len(frac) > 4 && frac[4] >= '5' {
		f++
	}
	d := Decimal(n*decimalScale + f)
	if neg {
		d = -d
	}
	return d, true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String formats d with exactly four decimals, as BigCommerce does.
func (d Decimal) String() string {
	sign := ""
	u := int64(d)
	if u < 0 {
		sign, u = "-", -u
	}
	return fmt.Sprintf("%s%d.%04d", sign, u/decimalScale, u%decimalScale)
}
