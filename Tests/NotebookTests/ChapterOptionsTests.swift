// ChapterOptionsTests.swift — the shared command-line options.

import ArgumentParser
import Foundation
import Notebook
import Testing

/// How a chapter uses the options: embedded beside its own.
struct ExampleChapter: ParsableCommand {
    @OptionGroup var common: ChapterOptions
    @Option(help: "Training epochs.") var epochs = 5
    func run() {}
}

@Suite struct ChapterOptionsTests {
    @Test func embedsInAChapterCommand() throws {
        let command = try ExampleChapter.parse(["--epochs", "2", "--profile", "smoke", "--seed", "3"])
        #expect(command.epochs == 2 && command.common.profile == .smoke && command.common.seed == 3)
        #expect(throws: (any Error).self) { try ExampleChapter.parse(["--epochz", "2"]) }
        #expect(ExampleChapter.helpMessage().contains("--data-dir"))
    }

    @Test func parsesProfileAndSeed() throws {
        let options = try ChapterOptions.parse(["--profile", "smoke", "--seed", "3"])
        #expect(options.profile == .smoke && options.seed == 3)
        #expect(options.outputDirectory(chapter: 4).path.hasSuffix("/figures/chapter4"))
        #expect(options.weave)
    }

    @Test func defaults() throws {
        let options = try ChapterOptions.parse([])
        #expect(options.profile == .default && options.seed == 1 && options.out == nil)
        let expectedData = ProcessInfo.processInfo.environment["BAYES_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        #expect(options.dataDirectory.path == URL(fileURLWithPath: expectedData).path)
    }

    @Test func explicitFoldersAndNoWeave() throws {
        let options = try ChapterOptions.parse(["--data-dir", "/srv/data", "--out", "/tmp/run", "--no-weave", "--profile", "paper"])
        #expect(options.dataDirectory.path == "/srv/data")
        #expect(options.outputDirectory(chapter: 1).path == "/tmp/run")
        #expect(!options.weave && options.profile == .paper)
    }

    @Test func rejectsUnknownOptionsAndBadProfiles() {
        #expect(throws: (any Error).self) { try ChapterOptions.parse(["--epochz", "3"]) }
        do {
            _ = try ChapterOptions.parse(["--profile", "huge"])
            Issue.record("a bad profile should be rejected")
        } catch {
            let message = ChapterOptions.message(for: error)
            #expect(message.contains("huge") && message.contains("smoke"))
        }
        do {
            _ = try ChapterOptions.parse(["--epochz", "3"])
        } catch {
            #expect(ChapterOptions.message(for: error).contains("--epochz"))
        }
    }

    @Test func helpExplainsEveryOption() {
        let help = ChapterOptions.helpMessage()
        for option in ["--profile", "--seed", "--data-dir", "--out", "--no-weave", "BAYES_DATA", "figures/chapterN"] {
            #expect(help.contains(option), "help lacks \(option)")
        }
    }

    @Test func weaveOnlyIsOffUnlessAsked() throws {
        #expect(try ChapterOptions.parse([]).weaveOnly == false)
        #expect(try ChapterOptions.parse(["--weave-only", "--out", "x"]).weaveOnly)
    }
}
