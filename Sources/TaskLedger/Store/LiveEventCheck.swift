extension Ledger {
    /// Throws for a live event with a NUL in a field. The importer refuses these as bad_field;
    /// a library caller of either store gets the same refusal.
    static func refuseNUL(in event: StatusEvent) throws {
        for (name, value) in [("task", event.task), ("state", event.state), ("id", event.id ?? ""), ("actor", event.actor),
                              ("source", event.source), ("stage", event.stage), ("detail", event.detail)]
        where value.utf8.contains(0) {
            throw LedgerError.invalidEvent(StatusEvent.nulRefusal(field: name))
        }
    }
}
