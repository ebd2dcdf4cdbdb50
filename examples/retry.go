// Package retry computes back-off delays.
package retry

import "time"

// Delay is the wait before attempt n (0-based): base doubled n times, at most limit.
func Delay(n int, base, limit time.Duration) time.Duration {
	// TODO: double base n times without overflowing, then cap it at limit
	return 0
}

// Attempts is how many tries fit in budget with the delays above.
func Attempts(budget, base, limit time.Duration) int {
	panic("not implemented")
}
