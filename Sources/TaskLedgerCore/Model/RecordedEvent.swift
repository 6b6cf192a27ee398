/// One row of `task_events`: an event as the ledger stored it, with its verdict.
public struct RecordedEvent: Sendable, Equatable, Codable {
    /// Arrival order in the ledger.
    public var seq: Int64
    /// The task the event is about.
    public var task: String
    /// Canonical state, or the raw string for `unknown_state`.
    public var state: String
    /// What the rules decided when the event arrived; only ``Verdict/applied`` and
    /// ``Verdict/outOfOrder`` changed the snapshot.
    public var verdict: Verdict
    /// The task's snapshot state before this event; nil if it had none.
    public var fromState: String?
    /// The event's time in epoch ms (UTC), as the producer gave it.
    public var timestamp: Int64
    /// The producer's event id, if it gave one.
    public var id: String?
    /// ``StatusEvent/actor`` as written.
    public var actor: String
    /// ``StatusEvent/source`` as written.
    public var source: String
    /// ``StatusEvent/stage`` as written.
    public var stage: String
    /// ``StatusEvent/detail`` as written.
    public var detail: String
    /// The input line's other keys as a JSON object; nil when there were none.
    public var attrs: String?
    /// The imported file the event came from, as given to the import; empty for live writes.
    public var file: String
    /// The 1-based line of ``file``; nil for live writes.
    public var line: Int?

    package enum CodingKeys: String, CodingKey {
        case seq, task, state, verdict
        case fromState = "from_state"
        case timestamp = "ts"
        case id = "event_id"
        case actor, source, stage, detail, attrs, file, line
    }

    package init(seq: Int64, task: String, state: String, verdict: Verdict, fromState: String? = nil, timestamp: Int64, id: String? = nil, actor: String, source: String, stage: String, detail: String, attrs: String? = nil, file: String, line: Int? = nil) {
        self.seq = seq
        self.task = task
        self.state = state
        self.verdict = verdict
        self.fromState = fromState
        self.timestamp = timestamp
        self.id = id
        self.actor = actor
        self.source = source
        self.stage = stage
        self.detail = detail
        self.attrs = attrs
        self.file = file
        self.line = line
    }
}

/// An open task whose last applied event is older than its state's stale threshold.
public struct StaleTask: Sendable, Equatable {
    /// The task's snapshot: its state, and when it last changed (``Snapshot/lastTimestamp``).
    public var snapshot: Snapshot
    /// now − last_ts, in ms.
    public var age: Int64
    /// The threshold it exceeded, in ms.
    public var threshold: Int64

    package init(snapshot: Snapshot, age: Int64, threshold: Int64) {
        self.snapshot = snapshot
        self.age = age
        self.threshold = threshold
    }
}

/// What `deliver` decided.
public enum DeliveryOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Recorded: the caller should send the notification.
    case deliver
    /// The same channel and key was delivered before.
    case suppressedDuplicate
    /// The task was notified on this channel within the cooldown.
    case suppressedCooldown

    /// What the CLI prints: `deliver`, `suppressed duplicate` or `suppressed cooldown`.
    public var description: String {
        switch self {
        case .deliver: "deliver"
        case .suppressedDuplicate: "suppressed duplicate"
        case .suppressedCooldown: "suppressed cooldown"
        }
    }
}
