import TaskLedgerCore

extension Report {
    /// `junit.xml`: the violations as a JUnit test report, in the Apache Ant schema that GitLab
    /// (`artifacts:reports:junit`), Jenkins, CircleCI, Azure Pipelines and GitHub test-report
    /// actions read.
    ///
    /// One `<testsuite>` per violation kind in ``ReportOptions/failOn`` (every kind when it is
    /// empty), in verdict order: a failing `<testcase>` per violation of that kind — named by
    /// its task and where it was read, classname its file, the violation's message as the
    /// failure's message and the rejected line (or, for a refused event, its fields) as the
    /// failure's text — or one passing case when the kind has none. Times are 0 and the suites'
    /// timestamp is the report's `now`, so the same ledger and `now` give the same bytes.
    /// Every value is escaped for XML 1.0; characters XML cannot carry (C0 controls but tab,
    /// line feed and carriage return; U+FFFE, U+FFFF) are written visibly as `⟨U+0001⟩`.
    public var junitXML: String {
        var xml = JUnitText()
        xml.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n")
        let kinds = Verdict.allCases.filter { $0.isViolation && (options.failOn.isEmpty || options.failOn.contains($0)) }
        var byKind: [Verdict: [Violation]] = [:]
        for violation in violations where kinds.contains(violation.kind) { byKind[violation.kind, default: []].append(violation) }
        // The same in every suite: the schema wants a timestamp without fraction or zone.
        let timestamp = String(Timestamp.format(options.now).prefix(19))
        let properties = junitProperties
        for (id, kind) in kinds.enumerated() {
            let failing = byKind[kind] ?? []
            xml.raw("  <testsuite package=\"task-ledger\" id=\"\(id)\" name=\"\(kind.rawValue)\" timestamp=\"")
            xml.raw(timestamp)
            xml.raw("\" hostname=\"task-ledger\" tests=\"\(max(failing.count, 1))\" failures=\"\(failing.count)\"")
            xml.raw(" errors=\"0\" skipped=\"0\" time=\"0\">\n    <properties>\n")
            for (name, value) in properties {
                xml.raw("      <property name=\"\(name)\" value=\"")
                xml.attribute(value)
                xml.raw("\"/>\n")
            }
            xml.raw("    </properties>\n")
            if failing.isEmpty {
                xml.raw("    <testcase name=\"no \(kind.rawValue)\" classname=\"task-ledger\" time=\"0\"/>\n")
            }
            for violation in failing { xml.testCase(violation) }
            xml.raw("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n")
        }
        xml.raw("</testsuites>\n")
        return xml.text
    }

    private var junitProperties: [(String, String)] {
        var properties = [("ledger", ledgerPath), ("now", Timestamp.format(options.now))]
        if let since = options.since { properties.append(("since", Timestamp.format(since))) }
        if let until = options.until { properties.append(("until", Timestamp.format(until))) }
        return properties
    }
}

extension Report.Violation {
    /// The test case's name: the task and where it was read (`build-3 at events.jsonl:12`).
    var junitName: String {
        let task = self.task.map { "task " + $0 } ?? "no task"
        guard let line else { return task + " (live write)" }
        return task + " at " + file + ":" + String(line)
    }

    /// What the failure's text shows: the line as read, or the refused event's fields.
    var junitText: String {
        if let raw { return raw }
        var fields = ["task: " + (task ?? ""), "from: " + (fromState ?? "(none)"), "to: " + (toState ?? "")]
        if let timestamp { fields.append("ts: " + Timestamp.format(timestamp)) }
        if let eventID { fields.append("id: " + eventID) }
        return fields.joined(separator: "\n")
    }
}

/// The text of `junit.xml`, built in one `String`: markup as is, data escaped.
struct JUnitText {
    private(set) var text = ""

    mutating func raw(_ markup: String) { text += markup }

    mutating func testCase(_ violation: Report.Violation) {
        raw("    <testcase name=\"")
        attribute(violation.junitName)
        raw("\" classname=\"")
        attribute(violation.file.isEmpty ? "live writes" : violation.file)
        raw("\" time=\"0\">\n      <failure message=\"")
        attribute(violation.message)
        raw("\" type=\"\(violation.kind.rawValue)\">")
        escape(violation.junitText, inAttribute: false)
        raw("</failure>\n    </testcase>\n")
    }

    mutating func attribute(_ value: String) { escape(value, inAttribute: true) }

    /// `<` `&` `>` `"` `'` as entities; in attributes also tab, LF and CR as character
    /// references (a parser would turn them into spaces); CR everywhere (a parser would turn
    /// CR LF into LF); what XML 1.0 cannot hold as `⟨U+XXXX⟩`.
    private mutating func escape(_ value: String, inAttribute: Bool) {
        for scalar in value.unicodeScalars {
            switch scalar {
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "&": text += "&amp;"
            case "\"": text += "&quot;"
            case "'": text += "&apos;"
            case "\r": text += "&#13;"
            case "\t", "\n": if inAttribute { text += "&#\(scalar.value);" } else { text.unicodeScalars.append(scalar) }
            case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": text += scalar.codePointText
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
