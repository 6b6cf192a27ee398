// The umbrella a Swift user imports: ``Ledger``, which opens either store, and the values that
// cross it — events, verdicts, snapshots, rules, profiles, import summaries and reports.
// Input is re-exported for `ImportError`, which `Ledger.importFile` throws (its other types are
// package), so that a caller can catch it by type.
@_exported import TaskLedgerCore
@_exported import TaskLedgerDecoding
@_exported import TaskLedgerImport
@_exported import TaskLedgerInput
@_exported import TaskLedgerProfiles
@_exported import TaskLedgerReport
