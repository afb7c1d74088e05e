package v2

import (
	"compress/gzip"
	"io"
	"sync"
)

// gzipWriters keeps compressors between responses: a new one allocates
// and clears about a megabyte of tables, which cost a list page more than
// compressing its 25 KB did.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// newGzip returns a compressor writing to w; give it back with freeGzip
// once closed.
func newGzip(w io.Writer) *gzip.Writer {
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(w)
	return zw
}

// freeGzip returns a closed compressor to the pool, holding no writer.
func freeGzip(zw *gzip.Writer) {
	zw.Reset(io.Discard)
	gzipWriters.Put(zw)
}
