// The umbrella a Swift user imports: ``Ledger``, which opens either store, and the values that
// cross it — events, verdicts, snapshots, rules, profiles, import summaries and reports.
@_exported import TaskLedgerCore
@_exported import TaskLedgerDecoding
@_exported import TaskLedgerImport
@_exported import TaskLedgerProfiles
@_exported import TaskLedgerReport
