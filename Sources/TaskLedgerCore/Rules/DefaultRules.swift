extension Rules {
    /// The rules of SPEC §3.
    public static let standard: Rules = try! Rules(
        openStates: ["RECEIVED", "QUEUED", "RUNNING", "WAITING", "RETRYING"],
        terminalStates: ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"],
        aliases: [
            "DONE": "SUCCEEDED", "COMPLETED": "SUCCEEDED", "COMPLETE": "SUCCEEDED",
            "SUCCESS": "SUCCEEDED", "OK": "SUCCEEDED",
            "ERROR": "FAILED", "FAILURE": "FAILED", "FAIL": "FAILED",
            "CANCELED": "CANCELLED", "REVOKED": "CANCELLED", "ABORTED": "CANCELLED",
            "TIMEOUT": "TIMED_OUT", "EXPIRED": "TIMED_OUT",
            "PENDING": "QUEUED",
            "STARTED": "RUNNING", "IN_PROGRESS": "RUNNING",
            "RETRY": "RETRYING",
            "BLOCKED": "WAITING", "PAUSED": "WAITING",
            "NEW": "RECEIVED", "CREATED": "RECEIVED", "SUBMITTED": "RECEIVED",
        ],
        initial: ["RECEIVED", "QUEUED"],
        transitions: [
            "RECEIVED": ["QUEUED", "RUNNING", "CANCELLED", "FAILED"],
            "QUEUED": ["RUNNING", "CANCELLED", "FAILED", "TIMED_OUT"],
            "RUNNING": ["WAITING", "RETRYING", "SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"],
            "WAITING": ["RUNNING", "CANCELLED", "FAILED", "TIMED_OUT"],
            "RETRYING": ["QUEUED", "RUNNING", "FAILED", "CANCELLED"],
        ])
}
