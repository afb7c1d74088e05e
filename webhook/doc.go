// Package webhook delivers the outbox: workers claim due deliveries from a
// customersd.WebhookQueue with a lease, POST each event's payload to its
// hook's destination signed as Standard Webhooks says, and record the
// attempt with the next one scheduled from BigCommerce's retry schedule.
//
// Delivery is at least once: a node that dies mid-delivery leaves the lease
// to run out, and another node (or this one, restarted) sends it again with
// the same webhook-id and payload, so a receiver can deduplicate.
package webhook
