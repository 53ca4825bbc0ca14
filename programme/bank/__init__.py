"""Talking to banks: one interface (`programme.bank.base.BankConnector`), the file
formats it speaks (outgoing batches as CSV; statements in MT940 or CSV; confirmations
as CSV), and a fake bank for tests and the demo. No models and no tenant data: the
subsidy and reconciliation services turn what comes back into postings.

See docs/subsystems/bank.md."""
