import ArgumentParser
import TaskLedger

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the built-in profiles (for import --profile NAME).",
        discussion: """
            Example:
              task-ledger profiles
              task-ledger profile show celery > my-celery.yaml    # edit, then:
              task-ledger import --db ledger.sqlite --profile my-celery.yaml events.jsonl
            """)

    func run() throws {
        let width = Profile.builtInNames.map(\.count).max() ?? 0
        for name in Profile.builtInNames {
            guard let profile = Profile.builtIn(named: name) else { continue }
            print("\(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(profile.summary)")
        }
    }
}

struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Show a profile as YAML.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a profile as YAML that loads back with --profile FILE.",
            discussion: """
                A built-in prints exactly as shipped (comments included); a file is checked and printed in normal form.

                Example:
                  task-ledger profile show github-actions > gha.yaml
                """)

        @Argument(help: ArgumentHelp("A built-in profile name or a profile file.", valueName: "name|file"))
        var profile: String

        func run() throws {
            if let text = Profile.builtInText(named: profile) {
                print(text, terminator: "")
            } else {
                print(try loadNamedProfile(profile).yaml, terminator: "")
            }
        }
    }
}
