import TaskLedgerCore

/// Judges a run of lines in memory against what the ledger held when the batch's locks were
/// taken: the snapshots of its tasks and the ids and contents it already stores. The verdict
/// comes from ``Rules/judge(canonical:timestamp:snapshot:isDuplicate:)``, as on SQLite; the
/// rows go to PostgreSQL afterwards as `COPY` text.
package struct BatchJudge {
    package let rules: Rules
    private(set) var snapshots: [String: Snapshot]
    private var ids: Set<String>
    private var contents: Set<EventContent>
    private(set) var changed: Set<String> = []
    private(set) var events = CopyText()
    private(set) var rejects = CopyText()
    private(set) var verdicts: [Verdict] = []

    package static let eventColumns = ["task", "state", "verdict", "from_state", "ts", "event_id", "content_key",
                               "actor", "source", "stage", "detail", "attrs", "file", "line"]
    package static let rejectColumns = ["file", "line", "kind", "task", "from_state", "to_state", "ts", "event_id", "message", "raw"]

    package init(rules: Rules, snapshots: [String: Snapshot], ids: Set<String>, contents: Set<EventContent>) {
        self.rules = rules
        self.snapshots = snapshots
        self.ids = ids
        self.contents = contents
    }

    package mutating func record(_ event: StatusEvent, origin: EventOrigin, raw: () -> String) {
        let canonical = rules.canonicalState(event.state)
        let storedState = canonical ?? event.state
        let snapshot = snapshots[event.task]
        let content = EventContent(event, state: storedState)
        let duplicate = event.id.map(ids.contains) ?? contents.contains(content)
        let verdict = rules.judge(canonical: canonical, timestamp: event.timestamp, snapshot: snapshot, isDuplicate: duplicate)
        verdicts.append(verdict)
        if verdict == .duplicate {
            storeReject(
                kind: "duplicate", origin: origin, task: event.task, fromState: snapshot?.state, toState: storedState,
                timestamp: event.timestamp, id: event.id,
                message: event.duplicateMessage,
                raw: raw())
            return
        }
        if let id = event.id { ids.insert(id) } else { contents.insert(content) }
        events.field(event.task)
        events.field(storedState)
        events.field(verdict.rawValue)
        events.field(snapshot?.state)
        events.field(event.timestamp)
        events.field(event.id)
        events.field(event.contentKey(state: storedState))
        events.field(event.actor)
        events.field(event.source)
        events.field(event.stage)
        events.field(event.detail)
        events.field(event.attrs)
        events.field(origin.file)
        events.field(origin.line)
        events.endRow()
        if verdict.changesSnapshot, let state = canonical {
            let terminal = rules.isTerminal(state)
            snapshots[event.task] = snapshot?.applying(event, state: state, terminal: terminal)
                ?? Snapshot.first(event, state: state, terminal: terminal, partial: rules.isPartialStart(state))
            changed.insert(event.task)
        }
    }

    package mutating func reject(_ reject: LineReject, origin: EventOrigin, raw: String) {
        verdicts.append(reject.kind.verdict)
        storeReject(
            kind: reject.kind.rawValue, origin: origin, task: reject.task,
            fromState: reject.task.flatMap { snapshots[$0]?.state },
            toState: reject.state.map { rules.canonicalState($0) ?? $0 }, timestamp: reject.timestamp,
            id: reject.id, message: reject.message, raw: raw)
    }

    private mutating func storeReject(
        kind: String, origin: EventOrigin, task: String?, fromState: String?, toState: String?,
        timestamp: Int64?, id: String?, message: String, raw: String
    ) {
        rejects.field(origin.file)
        rejects.field(origin.line)
        rejects.field(kind)
        rejects.field(task)
        rejects.field(fromState)
        rejects.field(toState)
        rejects.field(timestamp)
        rejects.field(id)
        rejects.field(message)
        rejects.field(raw)
        rejects.endRow()
    }
}

/// What makes an id-less event a duplicate (SPEC §7): task, stored state, ts, actor, source, stage, detail.
package struct EventContent: Hashable, Sendable {
    package var task: String
    package var state: String
    package var timestamp: Int64
    package var actor: String
    package var source: String
    package var stage: String
    package var detail: String

    package init(task: String, state: String, timestamp: Int64, actor: String, source: String, stage: String, detail: String) {
        self.task = task
        self.state = state
        self.timestamp = timestamp
        self.actor = actor
        self.source = source
        self.stage = stage
        self.detail = detail
    }

    package init(_ event: StatusEvent, state: String) {
        self.init(task: event.task, state: state, timestamp: event.timestamp, actor: event.actor,
                  source: event.source, stage: event.stage, detail: event.detail)
    }
}
