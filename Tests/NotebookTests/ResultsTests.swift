// ResultsTests.swift — results.json: atomic write, read back, JSON values, git stamp.

import Foundation
import Notebook
import Testing

@Suite struct ResultsTests {
    static func sample() -> Results {
        Results(chapter: 3, profile: "smoke", seed: 7, epochs: 2, wallTimeSeconds: 12.5,
                metrics: ["test": ["accuracy": 0.9875, "nll": JSONValue(Float(0.25))],
                          "parameters": 61_706, "model": "LeNet-5", "curve": JSONValue([1.0, 0.5, Double.nan])],
                gitCommit: "abc123", machine: Machine(cores: 2, memoryBytes: 1 << 30, cpuModel: "Test CPU",
                                                      operatingSystem: "Test OS"),
                date: Date(timeIntervalSince1970: 0))
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let url = folder.appendingPathComponent("chapter3/results.json")
        let results = Self.sample()
        try results.write(to: url)
        #expect(try contents(of: url.deletingLastPathComponent()) == ["results.json"])
        let read = try Results.read(from: url)
        #expect(read.chapter == 3 && read.seed == 7 && read.epochs == 2 && read.date == "1970-01-01T00:00:00Z")
        #expect(read.machine == results.machine)
        #expect(read.metric("test.accuracy") == 0.9875)
        #expect(read.metric("parameters") == 61_706)
        #expect(read.metric("curve.1") == 0.5)
        #expect(read.metric("curve.2")?.number?.isNaN == true)
        #expect(read.metric("test.missing") == nil)

        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"parameters\" : 61706"))   // whole numbers stay whole
        #expect(text.contains("\"git_commit\" : \"abc123\""))
        // Sorted keys: the top level reads chapter, date, epochs, git_commit, machine, metrics, profile, seed, wall_time…
        let order = ["\"chapter\"", "\"date\"", "\"epochs\"", "\"git_commit\"", "\"machine\"", "\"metrics\"",
                     "\"profile\"", "\"seed\"", "\"wall_time_seconds\""].map { text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
    }

    @Test func readingABadFileNamesIt() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let url = folder.appendingPathComponent("results.json")
        #expect { try Results.read(from: url) } throws: { ($0 as? NotebookError)?.message.contains(url.path) == true }
        try Data("{\"chapter\": 1}".utf8).write(to: url)
        #expect { try Results.read(from: url) } throws: { ($0 as? NotebookError)?.message.contains(url.path) == true }
    }

    @Test func gitCommitOutsideARepositoryIsUnknown() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        #expect(Results.currentGitCommit(in: folder) == "unknown")
    }

    @Test func machineDescribesThisComputer() {
        let machine = Machine.current()
        #expect(machine.cores >= 1 && machine.memoryBytes > 0)
        #expect(!machine.cpuModel.isEmpty && !machine.operatingSystem.isEmpty)
    }
}
