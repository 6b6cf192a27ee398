import GRDB
import TaskLedgerCore

extension SQLiteLedger {
    /// Atomic check-and-record of a notification (SPEC §5 `deliver`).
    ///
    /// - A delivery with the same `channel` and `key` already recorded → suppressed duplicate.
    /// - Otherwise, with a `cooldown`, a delivery for the same task and channel less than
    ///   `cooldown` ms before `now` → suppressed cooldown.
    /// - Otherwise the delivery is recorded and the caller should send it.
    ///
    /// The default key is `task` + `#` + the task's current state, so each state is announced once.
    /// Exactly one of many racing callers with the same key gets ``DeliveryOutcome/deliver``.
    public func deliver(task: String, channel: String, key: String? = nil, cooldown: Int64? = nil, now: Int64) throws -> DeliveryOutcome {
        try writeTransaction { db in
            let deliveryKey: String
            if let key {
                deliveryKey = key
            } else {
                guard let state = try Snapshot.fetch(db, task: task)?.state else {
                    throw LedgerError.noState(task: task)
                }
                deliveryKey = "\(task)#\(state)"
            }
            let seen = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM delivery_log WHERE channel = ? AND key = ?",
                arguments: [channel, deliveryKey]) ?? false
            if seen { return .suppressedDuplicate }
            if let cooldown {
                let recent = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM delivery_log WHERE task = ? AND channel = ? AND delivered_at > ?",
                    arguments: [task, channel, now.saturatingMinus(cooldown)]) ?? false
                if recent { return .suppressedCooldown }
            }
            try db.execute(
                sql: "INSERT INTO delivery_log (task, channel, key, delivered_at) VALUES (?, ?, ?, ?)",
                arguments: [task, channel, deliveryKey, now])
            return .deliver
        }
    }
}
