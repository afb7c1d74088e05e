package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
)

// dbCollector exports connection pool statistics under the go_sql_* names
// of client_golang's collectors.NewDBStatsCollector, so dashboards made for
// that collector work, with a "pool" label added: collectors'
// version takes one *sql.DB, while the store keeps two pools on SQLite (a
// writer and readers) and does not hand out its *sql.DB.
type dbCollector struct {
	stats func() map[string]sql.DBStats
	descs []dbStatDesc
}

type dbStatDesc struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(s sql.DBStats) float64
}

// DB is the database WatchDB watches: sqlstore.DB.
type DB interface {
	// Dialect names the database: "sqlite" or "postgres".
	Dialect() string
	// PoolStats returns the statistics of each connection pool by name.
	PoolStats() map[string]sql.DBStats
	// TxRetries counts the write transactions run again after a deadlock
	// or a serialization conflict.
	TxRetries() int64
}

// WatchDB exports the statistics of db's pools, labelled db_name (its
// dialect) and pool, and its transaction retries as
// customersd_db_transaction_retries_total.
func (m *Metrics) WatchDB(db DB) {
	m.MustRegister(NewDBCollector(db.Dialect(), db.PoolStats), prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "customersd_db_transaction_retries_total",
		Help: "Write transactions the database aborted to break a deadlock or a serialization conflict, and that were run again.",
	}, func() float64 { return float64(db.TxRetries()) }))
}

// NewDBCollector returns a collector of the pool statistics that stats
// returns by pool name.
func NewDBCollector(dbName string, stats func() map[string]sql.DBStats) prometheus.Collector {
	gauge, counter := prometheus.GaugeValue, prometheus.CounterValue
	c := &dbCollector{stats: stats}
	add := func(name, help string, kind prometheus.ValueType, value func(s sql.DBStats) float64) {
		d := prometheus.NewDesc("go_sql_"+name, help, []string{"pool"}, prometheus.Labels{"db_name": dbName})
		c.descs = append(c.descs, dbStatDesc{desc: d, kind: kind, value: value})
	}
	add("max_open_connections", "Maximum number of open connections to the database.", gauge,
		func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) })
	add("open_connections", "The number of established connections both in use and idle.", gauge,
		func(s sql.DBStats) float64 { return float64(s.OpenConnections) })
	add("in_use_connections", "The number of connections currently in use.", gauge,
		func(s sql.DBStats) float64 { return float64(s.InUse) })
	add("idle_connections", "The number of idle connections.", gauge,
		func(s sql.DBStats) float64 { return float64(s.Idle) })
	add("wait_count_total", "The total number of connections waited for.", counter,
		func(s sql.DBStats) float64 { return float64(s.WaitCount) })
	add("wait_duration_seconds_total", "The total time blocked waiting for a new connection.", counter,
		func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() })
	add("max_idle_closed_total", "The total number of connections closed due to SetMaxIdleConns.", counter,
		func(s sql.DBStats) float64 { return float64(s.MaxIdleClosed) })
	add("max_idle_time_closed_total", "The total number of connections closed due to SetConnMaxIdleTime.", counter,
		func(s sql.DBStats) float64 { return float64(s.MaxIdleTimeClosed) })
	add("max_lifetime_closed_total", "The total number of connections closed due to SetConnMaxLifetime.", counter,
		func(s sql.DBStats) float64 { return float64(s.MaxLifetimeClosed) })
	return c
}

// Describe implements prometheus.Collector.
func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d.desc
	}
}

// Collect implements prometheus.Collector.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.stats() {
		for _, d := range c.descs {
			ch <- prometheus.MustNewConstMetric(d.desc, d.kind, d.value(s), pool)
		}
	}
}
