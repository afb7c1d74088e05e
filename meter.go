package customersd

import "context"

// ReadMeter is charged, as they are read, for the rows a list read holds in
// memory. A node bounds the bytes of list pages it holds at once with it:
// rows are loaded whole before a page is written, and 32 pages of 250
// customers with 64 KB notes once took 1.3 GB (issue 12). Charge returns an
// error when the bytes are not available, and the read stops with it.
type ReadMeter interface {
	Charge(n int64) error
}

type readMeterKey struct{}

// WithReadMeter returns ctx carrying m: the list reads of services called
// with it charge m for each row. It travels in the context, as a deadline
// does, because it bounds one request's reads wherever they happen.
func WithReadMeter(ctx context.Context, m ReadMeter) context.Context {
	return context.WithValue(ctx, readMeterKey{}, m)
}

// ChargeRead charges n bytes to the ReadMeter of ctx; without one it does nothing.
func ChargeRead(ctx context.Context, n int64) error {
	if m, ok := ctx.Value(readMeterKey{}).(ReadMeter); ok {
		return m.Charge(n)
	}
	return nil
}
