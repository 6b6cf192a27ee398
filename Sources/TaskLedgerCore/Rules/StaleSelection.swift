extension Rules {
    /// The smallest threshold that can make a task stale: stores pre-filter open snapshots
    /// with `last_ts < now − this`, then ``staleTasks(among:now:olderThan:)`` decides.
    package func smallestStaleThreshold(olderThan: Int64?) -> Int64 {
        olderThan ?? ([defaultStaleAfter] + Array(staleAfter.values)).min()!
    }

    /// Of open snapshots, those with `now − last_ts` strictly greater than their state's
    /// threshold (or `olderThan`), oldest first, equal ages by task (bytewise).
    package func staleTasks(among candidates: [Snapshot], now: Int64, olderThan: Int64?) -> [StaleTask] {
        candidates.compactMap { snapshot -> StaleTask? in
            let threshold = olderThan ?? staleThreshold(for: snapshot.state)
            let age = now - snapshot.lastTimestamp
            return age > threshold ? StaleTask(snapshot: snapshot, age: age, threshold: threshold) : nil
        }
        .sorted { a, b in
            a.age != b.age ? a.age > b.age : Array(a.snapshot.task.utf8).lexicographicallyPrecedes(b.snapshot.task.utf8)
        }
    }
}
