import Testing

@testable import TaskLedger
@testable import TaskLedgerCore
@testable import TaskLedgerDecoding
@testable import TaskLedgerImport
@testable import TaskLedgerInput
@testable import TaskLedgerPostgres
@testable import TaskLedgerProfiles
@testable import TaskLedgerReport
@testable import TaskLedgerSQLite
@testable import TaskLedgerTestData

/// Lines that are not one strict RFC 8259 object are `malformed`, with a message saying where.
@Suite struct MalformedLineTests {
    private let valid = #"{"task":"t","state":"s","ts":0}"#

    @Test(arguments: [
        ("", "not JSON: the line is empty"),
        ("   ", "not JSON: the line is empty"),
        (#"{"task":"t","state":"s","ts":0} x"#, "not JSON: unexpected 'x' after the end of the object at byte 33"),
        (#"{"task":"t","state":"s","ts":0}{}"#, "not JSON: unexpected '{' after the end of the object at byte 32"),
        (#"{"task":"t","state":"s","ts":NaN}"#, "not JSON: unexpected 'N' at byte 30"),
        (#"{"task":"t","state":"s","ts":Infinity}"#, "not JSON: unexpected 'I' at byte 30"),
        (#"{"task":"t","state":"s","ts":-Infinity}"#, "not JSON: unexpected 'I' at byte 31"),
        (#"{"task":"t","state":"s","ts":01}"#, "not JSON: number with a leading zero at byte 30"),
        (#"{"task":"t","state":"s","ts":-01}"#, "not JSON: number with a leading zero at byte 30"),
        (#"{"task":"t","state":"s","ts":1.}"#, "not JSON: unexpected '}' at byte 32"),
        (#"{"task":"t","state":"s","ts":.5}"#, "not JSON: unexpected '.' at byte 30"),
        (#"{"task":"t","state":"s","ts":1e}"#, "not JSON: unexpected '}' at byte 32"),
        (#"{"task":"t","state":"s","ts":+1}"#, "not JSON: unexpected '+' at byte 30"),
        (#"{"task":"t","state":"s","ts":0x10}"#, "not JSON: unexpected 'x' at byte 31"),
        (#"{"task":"t","state":"s","ts":0,}"#, "not JSON: unexpected '}' at byte 32"),
        (#"{"task":"t","state":"s","ts":0"#, "not JSON: unexpected end of line at byte 31"),
        (#"{"task":"t","state":"s","ts":tru}"#, "not JSON: unexpected '}' at byte 33"),
        (#"{"task":'t',"state":"s","ts":0}"#, "not JSON: unexpected ''' at byte 9"),
        (#"{task:"t","state":"s","ts":0}"#, "not JSON: unexpected 't' at byte 2"),
        (#"{"task" "t"}"#, #"not JSON: unexpected '"' at byte 9"#),
        (#"{"task":"t\x"}"#, #"not JSON: invalid escape '\x' at byte 11"#),
        (#"{"task":"t\u12"}"#, #"not JSON: \u must be followed by 4 hex digits at byte 11"#),
        (#"{"task":"\ud800"}"#, #"not JSON: lone surrogate \uD800 at byte 10"#),
        (#"{"task":"\ud800\u0041"}"#, #"not JSON: lone surrogate \uD800 at byte 10"#),
        (#"{"task":"\udc00\ud800"}"#, #"not JSON: lone surrogate \uDC00 at byte 10"#),
        (#"{"task":"t"#, "not JSON: unterminated string, the line ends at byte 11"),
        ("{\"task\":\"a\tb\"}", "not JSON: unescaped control character 0x09 in a string at byte 11"),
        ("{\"task\":\"a\u{0}b\"}", "not JSON: unescaped control character 0x00 in a string at byte 11"),
        ("{\"task\":\u{0}\"t\"}", "not JSON: unexpected 0x00 at byte 9"),
        ("{\"task\":\"t\"}\u{0}", "not JSON: unexpected 0x00 after the end of the object at byte 13"),
        ("\u{FEFF}{}", "not JSON: unexpected 0xEF at byte 1"),
        (#"["task","t"]"#, "not a JSON object: the line is an array"),
        (#""task""#, "not a JSON object: the line is a string"),
        ("42", "not a JSON object: the line is a number"),
        ("null", "not a JSON object: the line is null"),
        ("true", "not a JSON object: the line is a bool"),
        ("[1] x", "not JSON: unexpected 'x' after the end of the object at byte 5"),
    ])
    func aLineThatIsNotOneJSONObjectIsMalformed(line: String, message: String) {
        let reject = decodeLine(line).reject
        #expect(reject?.kind == .malformed)
        #expect(reject?.message == message)
    }

    /// Ill-formed sequences, with the offset of the first bad byte within them.
    @Test(arguments: [
        ([0xFF], 0),
        ([0xC0, 0x80], 0),  // overlong NUL
        ([0xE0, 0x80, 0x80], 0),  // overlong
        ([0xED, 0xA0, 0x80], 0),  // UTF-16 surrogate
        ([0xF4, 0x90, 0x80, 0x80], 0),  // above U+10FFFF
        ([0xC3], 0),  // truncated
        ([0x61, 0x80], 1),  // stray continuation
        ([0xE2, 0x82], 0),  // truncated three-byte sequence
    ] as [([UInt8], Int)])
    func invalidUTF8AnywhereIsMalformed(bad: [UInt8], offset: Int) {
        let prefix = Array(#"{"task":"t","state":"s","ts":0,"actor":""#.utf8)
        let inString = decodeBytes(prefix + bad + Array(#""}"#.utf8)).reject
        #expect(inString?.kind == .malformed)
        #expect(inString?.message == "invalid UTF-8 at byte \(prefix.count + offset + 1)")
        let trailing = decodeBytes(Array(valid.utf8) + bad).reject
        #expect(trailing?.message == "invalid UTF-8 at byte \(valid.utf8.count + offset + 1)")
    }

    /// Strings are scanned eight bytes at a time: a special byte must be found at any position.
    @Test(arguments: 0..<24)
    func aSpecialByteIsFoundAtAnyPositionOfALongString(position: Int) {
        let plain = Array(repeating: UInt8(ascii: "a"), count: 24)
        let prefix = Array(#"{"task":""#.utf8)
        let suffix = Array(#"","state":"s","ts":0}"#.utf8)
        var text = plain
        text[position] = 0x1F
        #expect(
            decodeBytes(prefix + text + suffix).reject?.message
                == "not JSON: unescaped control character 0x1F in a string at byte \(prefix.count + position + 1)")
        text = plain
        text[position] = UInt8(ascii: "\"")
        #expect(decodeBytes(prefix + text + suffix).reject?.kind == .malformed)
        text = plain
        text[min(position, 22)] = UInt8(ascii: "\\")
        text[min(position, 22) + 1] = UInt8(ascii: "n")
        #expect(decodeBytes(prefix + text + suffix).event?.task.contains("\n") == true)
    }

    @Test func validMultiByteUTF8IsAccepted() throws {
        let event = try #require(decodeLine(#"{"task":"é€😀","state":"s","ts":0,"ключ":"значение"}"#).event)
        #expect(event.task == "é€😀")
        #expect(event.attrs == #"{"ключ":"значение"}"#)
    }

    @Test func anEscapedNULInAFieldIsABadFieldBecauseSQLiteTextCannotHoldIt() {
        guard case .failure(let reject) = decodeLine(#"{"task":"a\u0000b","state":"s","ts":0}"#) else {
            Issue.record("an escaped NUL in a field was accepted")
            return
        }
        #expect(reject.kind == .badField)
        #expect(reject.message == #"field task contains a NUL character (\u0000), which the ledger cannot store"#)
    }

    @Test func anEscapedNULInAnAttributeIsKeptEscaped() {
        #expect(decodeLine(#"{"task":"a","state":"s","ts":0,"note":"x\u0000y"}"#).event?.attrs == #"{"note":"x\u0000y"}"#)
    }

    @Test func nestingUpTo512LevelsIsAccepted() {
        // The top-level object is level 1, so 511 more levels fit.
        let nested = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
        let event = decodeLine(#"{"task":"t","state":"s","ts":0,"x":\#(nested)}"#).event
        #expect(event?.attrs == #"{"x":\#(nested)}"#)
    }

    @Test(arguments: ["[", #"{"a":"#])
    func nestingDeeperThan512LevelsIsMalformed(opener: String) {
        let nested = String(repeating: opener, count: 512) + "0"
        let line = #"{"task":"t","state":"s","ts":0,"x":\#(nested)}"#
        let reject = decodeLine(line).reject
        #expect(reject?.kind == .malformed)
        #expect(reject?.message.hasPrefix("not JSON: nested too deeply (more than 512 levels) at byte") == true)
    }

    @Test func veryDeepNestingDoesNotExhaustTheStack() {
        let line = String(repeating: "[", count: 1_000_000)
        #expect(decodeLine(line).reject?.kind == .malformed)
    }

    @Test func whitespaceAroundTokensIsAllowed() {
        let line = " \t{ \"task\" :\r\"t\" ,\n\"state\":\"s\", \"ts\" : 0 , \"x\" : [ 1 , { } ] }\t "
        let event = decodeLine(line).event
        #expect(event?.task == "t")
        #expect(event?.attrs == #"{"x":[ 1 , { } ]}"#)
    }
}
