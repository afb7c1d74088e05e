package v2

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// TestXMLTextReadsBack: whatever a string holds, a parser reads back the
// string itself, with the characters XML 1.0 cannot carry as U+FFFD.
func TestXMLTextReadsBack(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a<b>&c", "a<b>&c"},
		{"]]>", "]]>"},
		{"x]]>]]>y<", "x]]>]]>y<"},
		{"cr\r\nlf", "cr\r\nlf"},
		{"<cr\r>", "<cr\r>"},
		{"bell\x07 nul\x00", "bell\uFFFD nul\uFFFD"},
		{"bad utf-8 \xff<", "bad utf-8 \uFFFD<"},
		{"\uFFFE\U0001F600", "\uFFFD\U0001F600"},
	} {
		var buf bytes.Buffer
		buf.WriteString("<x>")
		writeXMLText(&buf, tt.in)
		buf.WriteString(`</x>`)
		var got string
		if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Errorf("%q: %s does not parse: %v", tt.in, buf.Bytes(), err)
			continue
		}
		if got != tt.want {
			t.Errorf("%q: read back %q, want %q (%s)", tt.in, got, tt.want, buf.Bytes())
		}
		if strings.ContainsAny(tt.in, "<>&") != bytes.Contains(buf.Bytes(), []byte("<![CDATA[")) {
			t.Errorf("%q: CDATA exactly when there is markup: %s", tt.in, buf.Bytes())
		}
	}
	var buf bytes.Buffer
	writeXMLAttr(&buf, "https://x/?a=1&b=\"2\"<\t\n")
	var v struct {
		Href string `xml:"href,attr"`
	}
	if err := xml.Unmarshal([]byte(`<l href="`+buf.String()+`"/>`), &v); err != nil || v.Href != "https://x/?a=1&b=\"2\"<\t\n" {
		t.Errorf("attribute %s read back %q, %v", buf.Bytes(), v.Href, err)
	}
}
