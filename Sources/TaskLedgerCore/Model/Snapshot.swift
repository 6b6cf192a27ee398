/// The current state of one task: what `task_state_snapshot` holds.
///
/// A snapshot exists once the task has an applied event.
public struct Snapshot: Sendable, Equatable, Hashable, Codable {
    /// The task this snapshot describes.
    public var task: String
    /// Canonical state of the last applied event.
    public var state: String
    /// ``StatusEvent/stage`` of the last applied event (empty if it had none).
    public var stage: String
    /// ``StatusEvent/actor`` of the last applied event (empty if it had none).
    public var actor: String
    /// ``StatusEvent/source`` of the last applied event (empty if it had none).
    public var source: String
    /// Earliest applied timestamp (epoch ms).
    public var firstTimestamp: Int64
    /// Latest applied timestamp (epoch ms).
    public var lastTimestamp: Int64
    /// Timestamp of the terminal event, nil while the task is open.
    public var terminalTimestamp: Int64?
    /// Whether the task was first seen mid-lifecycle: its first applied event was not an
    /// initial state (accepted under ``PartialObservation/accept``). Its start is unknown, so
    /// reports leave its duration out.
    public var partial: Bool

    /// A snapshot with the given fields, for comparing with what ``Ledger/snapshot(task:)``
    /// returns (a ledger builds its own snapshots from the events it applies).
    public init(
        task: String, state: String, stage: String = "", actor: String = "", source: String = "",
        firstTimestamp: Int64, lastTimestamp: Int64, terminalTimestamp: Int64? = nil, partial: Bool = false
    ) {
        self.task = task
        self.state = state
        self.stage = stage
        self.actor = actor
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.terminalTimestamp = terminalTimestamp
        self.partial = partial
    }

    /// The snapshot after applying `event` (already judged `applied` or `out_of_order`) whose
    /// canonical state is `state`.
    package func applying(_ event: StatusEvent, state: String, terminal: Bool) -> Snapshot {
        var next = self
        next.apply(event, state: state, terminal: terminal)
        return next
    }

    /// Applies `event` in place (see ``applying(_:state:terminal:)``). A task that has ended
    /// keeps its snapshot: an event applied after the end is an echo (``Rules/echoes``) and
    /// changes nothing.
    package mutating func apply(_ event: StatusEvent, state: String, terminal: Bool) {
        guard terminalTimestamp == nil else { return }
        self.state = state
        stage = event.stage
        actor = event.actor
        source = event.source
        firstTimestamp = min(firstTimestamp, event.timestamp)
        lastTimestamp = max(lastTimestamp, event.timestamp)
        if terminal { terminalTimestamp = event.timestamp }
    }

    /// The snapshot of a task whose first applied event is `event`; `partial` when its state
    /// is not an initial one.
    package static func first(_ event: StatusEvent, state: String, terminal: Bool, partial: Bool) -> Snapshot {
        Snapshot(
            task: event.task, state: state, stage: event.stage, actor: event.actor,
            source: event.source, firstTimestamp: event.timestamp, lastTimestamp: event.timestamp,
            terminalTimestamp: terminal ? event.timestamp : nil, partial: partial)
    }

    package enum CodingKeys: String, CodingKey {
        case task, state, stage, actor, source
        case firstTimestamp = "first_ts"
        case lastTimestamp = "last_ts"
        case terminalTimestamp = "terminal_ts"
        case partial
    }
}
