import Foundation
import TaskLedgerTestSupport
import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerTestData

/// `generate --ids uuid --night N`: the bench data shaped like real logs — random UUID event
/// ids, task ids in no order, consecutive nights that are consecutive days with new tasks.
struct RealisticStreamTests {
    /// RFC 9562 version 4: 8-4-4-4-12 lowercase hex, version nibble 4, variant bits 10.
    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12],
              text.allSatisfy({ $0 == "-" || ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else { return false }
        return groups[2].first == "4" && "89ab".contains(groups[3].first!)
    }
    static let day: Int64 = 86_400_000
    static let firstNight: Int64 = 1_772_323_200_000  // 2026-03-01T00:00:00Z

    static func generator(tasks: Int, night: Int? = nil, ids: StreamGenerator.IDShape = .uuid, violations: Double = 0.01) -> StreamGenerator {
        var generator = StreamGenerator(tasks: tasks, seed: 9, violationRate: violations)
        generator.ids = ids
        generator.night = night
        return generator
    }

    /// The JSON objects of a stream (bad lines left out), each with its task, id and ts as
    /// SPEC §2 reads them.
    static func events(_ generator: StreamGenerator) throws -> [(task: String, id: String?, ts: Int64?)] {
        let bytes = try StreamGeneratorTests.bytes(generator)
        var events: [(task: String, id: String?, ts: Int64?)] = []
        for line in StreamGeneratorTests.lines(bytes) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let task = object["task"] ?? object["task_id"] ?? object["req"] else { continue }
            var ts: Int64?
            switch object["ts"] ?? object["timestamp"] ?? object["time"] {
            case let text as String: ts = Timestamp.parse(text)
            case let number as NSNumber: ts = Timestamp.fromEpochNumber(number.doubleValue)
            default: ts = nil
            }
            events.append(("\(task)", (object["id"] ?? object["event_id"]) as? String, ts))
        }
        return events
    }

    @Test func eventIdsAreRandomUUIDsAndTaskIdsComeInNoOrder() throws {
        let events = try Self.events(Self.generator(tasks: 2_000, violations: 0))
        let ids = events.compactMap(\.id)
        #expect(ids.count > events.count * 8 / 10)
        #expect(ids.allSatisfy { Self.isUUID($0) })
        #expect(Set(ids).count == ids.count)
        // Tasks in order of first appearance: as often descending as ascending, bytewise.
        var firstSeen: [String] = []
        var seen = Set<String>()
        for event in events where seen.insert(event.task).inserted { firstSeen.append(event.task) }
        #expect(firstSeen.count == 2_000)
        let ascending = zip(firstSeen, firstSeen.dropFirst()).count { Bytewise.less($0, $1) }
        #expect((800...1_200).contains(ascending), "\(ascending) of 1999 steps ascend")
        let uuids = firstSeen.count { Self.isUUID($0) }
        #expect((1_700...1_850).contains(uuids), "\(uuids) UUID task ids of 2000")
    }

    /// Same seed, both id shapes: the same stream but for the ids, so imported they give the
    /// same verdicts — the shapes differ only in what the B-trees receive.
    @Test func bothIdShapesGiveTheSameVerdicts() throws {
        let directory = try TempDirectory()
        var counts: [[Verdict: Int]] = []
        for shape in StreamGenerator.IDShape.allCases {
            let path = directory.path("\(shape).jsonl")
            try Self.generator(tasks: 1_500, ids: shape, violations: 0.05).write(toPath: path)
            counts.append(try Ledger(directory.path("\(shape).sqlite")).importFile(path).verdicts)
        }
        #expect(counts[0] == counts[1])
        #expect(counts[0][.duplicate, default: 0] > 10 && counts[0][.afterTerminal, default: 0] > 10)
    }

    @Test func consecutiveNightsAreConsecutiveDaysWithNewTasksAndSomeRunPastMidnight() throws {
        let nights = try [1, 2].map { try Self.events(Self.generator(tasks: 3_000, night: $0)) }
        for (n, events) in nights.enumerated() {
            let start = Self.firstNight + Int64(n) * Self.day
            let times = events.compactMap(\.ts).filter { $0 > 0 }
            // Valid timestamps lie in the night's day (bad ones, like year 0, aside) and a bit after.
            let inRange = times.count { (start - 300_000)..<(start + Self.day + 4 * 3_600_000) ~= $0 }
            #expect(inRange >= times.count - 40, "night \(n + 1): \(times.count - inRange) timestamps outside its day")
            let afterMidnight = Set(events.filter { ($0.ts ?? 0) >= start + Self.day }.map(\.task))
            let beforeMidnight = Set(events.filter { ($0.ts ?? .max) < start + Self.day }.map(\.task))
            #expect(afterMidnight.intersection(beforeMidnight).count >= 10, "night \(n + 1): tasks across midnight")
        }
        // Night 2's tasks and ids are new (orphans and bad lines aside, no task of night 1 returns).
        let tasks = nights.map { Set($0.map(\.task)) }
        #expect(tasks[0].intersection(tasks[1]).count <= 2)
        #expect(Set(nights[0].compactMap(\.id)).isDisjoint(with: nights[1].compactMap(\.id)))
        #expect(try StreamGeneratorTests.bytes(Self.generator(tasks: 3_000, night: 2))
            == StreamGeneratorTests.bytes(Self.generator(tasks: 3_000, night: 2)))
    }
}
