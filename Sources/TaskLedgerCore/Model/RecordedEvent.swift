/// One row of `task_events`: an event as the ledger stored it, with its verdict.
public struct RecordedEvent: Sendable, Equatable, Codable {
    /// Arrival order in the ledger.
    public var seq: Int64
    public var task: String
    /// Canonical state, or the raw string for `unknown_state`.
    public var state: String
    public var verdict: Verdict
    /// The task's snapshot state before this event; nil if it had none.
    public var fromState: String?
    public var timestamp: Int64
    public var id: String?
    public var actor: String
    public var source: String
    public var stage: String
    public var detail: String
    public var attrs: String?
    /// Empty for live writes.
    public var file: String
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

    public var description: String {
        switch self {
        case .deliver: "deliver"
        case .suppressedDuplicate: "suppressed duplicate"
        case .suppressedCooldown: "suppressed cooldown"
        }
    }
}
