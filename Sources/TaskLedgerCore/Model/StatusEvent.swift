/// One status event: "task T entered state S at time ts".
///
/// `state` is the string as the producer wrote it; the rules normalise it when the event is
/// judged. Optional descriptive fields are empty strings when absent, as the snapshot stores them.
public struct StatusEvent: Sendable, Equatable, Hashable {
    /// The task the event is about: any non-empty string, compared byte for byte.
    public var task: String
    /// The state as the producer wrote it (`done`, `in-progress`); normalised and mapped through
    /// the rules' aliases when judged, so `"done"` and `"SUCCEEDED"` name the same state.
    public var state: String
    /// Epoch milliseconds, UTC.
    public var timestamp: Int64
    /// The event's identity for dedupe, if the producer gave one. Ids are global, not per task.
    public var id: String?
    /// Who or what caused the event (a worker, a user); copied to the snapshot when applied.
    public var actor: String
    /// The system that reported the event; copied to the snapshot when applied.
    public var source: String
    /// A finer step within the state (`compile`, `upload`); copied to the snapshot when applied.
    public var stage: String
    /// Free text for people; part of an id-less event's identity for dedupe, not of the snapshot.
    public var detail: String
    /// Other keys of the input line, as a JSON object; nil when there were none.
    public var attrs: String?

    /// An event of `task` entering `state` at `timestamp` (epoch ms, UTC; see
    /// ``Timestamp/parse(_:)`` for text). Give `id` when the producer may retry, so that a
    /// retried write is a ``Verdict/duplicate`` instead of a second event.
    public init(
        task: String, state: String, timestamp: Int64, id: String? = nil,
        actor: String = "", source: String = "", stage: String = "", detail: String = "",
        attrs: String? = nil
    ) {
        self.task = task
        self.state = state
        self.timestamp = timestamp
        self.id = id
        self.actor = actor
        self.source = source
        self.stage = stage
        self.detail = detail
        self.attrs = attrs
    }
}

extension StatusEvent {
    /// Why a field value holding NUL is refused (by the importer as `bad_field`, by `Ledger.write`
    /// with an error): SQLite's text functions and C-string readers stop at NUL, so the ledger
    /// could not store the value and give it back.
    package static func nulRefusal(field: String) -> String {
        "field \(field) contains a NUL character (\\u0000), which the ledger cannot store"
    }
}

/// Where an event came from: a file and line for imports, nothing for live writes.
package struct EventOrigin: Sendable, Equatable, Hashable {
    /// The path as given on the command line (`-` for stdin); empty for live writes.
    package var file: String
    /// 1-based physical line number; nil for live writes.
    package var line: Int?

    package init(file: String, line: Int?) {
        self.file = file
        self.line = line
    }

    /// The origin of a live `write`.
    package static let live = EventOrigin(file: "", line: nil)
}

/// A line that could not become an event, with whatever valid fields it did provide.
package struct LineReject: Sendable, Equatable, Error {
    package var kind: RejectKind
    /// Free text for people: what is wrong with the line.
    package var message: String
    package var task: String?
    package var state: String?
    package var timestamp: Int64?
    package var id: String?

    package init(
        kind: RejectKind, message: String, task: String? = nil, state: String? = nil,
        timestamp: Int64? = nil, id: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.task = task
        self.state = state
        self.timestamp = timestamp
        self.id = id
    }
}

extension StatusEvent {
    /// The `import_rejects.message` of a duplicate of this event, whichever store caught it.
    package var duplicateMessage: String {
        id.map { "event id '\($0)' is already in the ledger" }
            ?? "the same event (task, state, ts, actor, source, stage, detail) is already in the ledger"
    }
}
