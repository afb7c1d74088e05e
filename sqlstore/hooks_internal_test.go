package sqlstore

// SetDeleteChunk makes bulk deletes on db remove n customers per
// transaction and call after once each has committed, for tests.
func SetDeleteChunk(db *DB, n int, after func()) {
	db.deleteChunk, db.afterDeleteChunk = n, after
}
