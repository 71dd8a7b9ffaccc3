// WeaverTests.swift — weaving a small chapter source into its exact Markdown page, and weaving errors.

import Foundation
import Notebook
import Testing

@Suite struct WeaverTests {
    static let source = """
        //: # Chapter 9: a test
        //:
        //: Weights are distributions.
        import Foundation
        import Notebook // weave: hide

        // weave: hide-start
        let secret = 42
        // weave: hide-end

        //: The fit: {{figure: fit}}
        //: Accuracy {{result: test.accuracy}} ({{result: test.accuracy %.1f%%}} as printed), \
        {{result: parameters}} weights, model {{result: model}}, {{result: epochs}} epochs.
        let x = 1
            let y = x + 1

        /*:
         ## Section
         - a point
           with a continuation
         */
        print(x)
        /*: One-line block. */
        // weave: hide-start
        let hidden = 0
        // weave: hide-end
        //: Tail.

        """

    static let expected = """
        <!-- Woven from main.swift by the Notebook weaver: edit the source, not this page. -->

        # Chapter 9: a test

        > Woven from [`main.swift`](main.swift) and the results of a run with profile `smoke`, seed 7, 2 epochs, \
        at commit `abc123` on 1970-01-01T00:00:00Z (wall time 12.5s, 2 cores).

        Weights are distributions.

        ```swift
        import Foundation
        ```

        The fit: ![fit](../../figures/chapter9/fit.png)
        Accuracy 0.9875 (1.0% as printed), 61706 weights, model LeNet-5, 2 epochs.

        ```swift
        let x = 1
            let y = x + 1
        ```

        ## Section
        - a point
          with a continuation

        ```swift
        print(x)
        ```

        One-line block.

        Tail.

        """

    /// A repository-shaped scratch folder: chapters/09-test/main.swift, figures/chapter9/{fit.png, results.json}.
    func layout(source: String = WeaverTests.source, figure: Bool = true) throws -> (root: URL, source: URL, figures: URL, page: URL) {
        let root = try makeScratchFolder()
        let chapter = root.appendingPathComponent("chapters/09-test")
        let figures = root.appendingPathComponent("figures/chapter9")
        try FileManager.default.createDirectory(at: chapter, withIntermediateDirectories: true)
        let sourceURL = chapter.appendingPathComponent("main.swift")
        try source.write(to: sourceURL, atomically: true, encoding: .utf8)
        try ResultsTests.sample().write(to: figures.appendingPathComponent("results.json"))
        if figure { try Image(width: 1, height: 1, channels: 1, repeating: 0).write(to: figures.appendingPathComponent("fit.png")) }
        return (root, sourceURL, figures, chapter.appendingPathComponent("README.md"))
    }

    func weave(_ files: (root: URL, source: URL, figures: URL, page: URL)) throws {
        try Weaver.weave(source: files.source, results: files.figures.appendingPathComponent("results.json"),
                         figuresDirectory: files.figures, output: files.page)
    }

    @Test func weavesProseCodeHiddenLinesAndMarkers() throws {
        let files = try layout()
        defer { removeScratch(files.root) }
        try weave(files)
        let page = try String(contentsOf: files.page, encoding: .utf8)
        #expect(page == Self.expected)
        #expect(try contents(of: files.page.deletingLastPathComponent()) == ["README.md", "main.swift"])
    }

    @Test func weaveChapterWritesTheReadmeBesideTheSourceUnlessTold() throws {
        let files = try layout()
        defer { removeScratch(files.root) }
        let skip = try ChapterOptions.parse(["--out", files.figures.path, "--no-weave"])
        try Weaver.weaveChapter(9, options: skip, source: files.source.path)
        #expect(!FileManager.default.fileExists(atPath: files.page.path))
        let options = try ChapterOptions.parse(["--out", files.figures.path])
        try Weaver.weaveChapter(9, options: options, source: files.source.path)
        #expect(try String(contentsOf: files.page, encoding: .utf8) == Self.expected)
    }

    @Test func missingFigureIsAnErrorNamingIt() throws {
        let files = try layout(figure: false)
        defer { removeScratch(files.root) }
        #expect { try weave(files) } throws: { error in
            let message = (error as? NotebookError)?.message ?? ""
            return message.contains("main.swift:11") && message.contains("figure 'fit'") && message.contains("fit.png")
        }
        #expect(!FileManager.default.fileExists(atPath: files.page.path))   // nothing half-written
    }

    @Test func missingResultIsAnErrorNamingTheKey() throws {
        let files = try layout(source: "//: Loss {{result: test.loss}}.\n")
        defer { removeScratch(files.root) }
        #expect { try weave(files) } throws: { error in
            let message = (error as? NotebookError)?.message ?? ""
            return message.contains("main.swift:1") && message.contains("'test.loss'") && message.contains("results.json")
        }
    }

    @Test(arguments: [
        ("//: {{chart: fit}}\n", "unknown marker"),
        ("//: {{result: model %.2f}}\n", "not a number"),
        ("//: {{result: parameters %s}}\n", "format"),
        ("// weave: hide-start\nlet a = 1\n", "never closed"),
        ("// weave: hide-end\n", "without"),
        ("/*:\n text\n", "never closed"),
    ])
    func malformedMarkupIsReported(source: String, expectedFragment: String) throws {
        let files = try layout(source: source)
        defer { removeScratch(files.root) }
        #expect { try weave(files) } throws: { ($0 as? NotebookError)?.message.contains(expectedFragment) == true }
    }

    @Test func missingResultsFileIsNamed() throws {
        let files = try layout()
        defer { removeScratch(files.root) }
        let absent = files.figures.appendingPathComponent("nope.json")
        #expect {
            try Weaver.weave(source: files.source, results: absent, figuresDirectory: files.figures, output: files.page)
        } throws: { ($0 as? NotebookError)?.message.contains(absent.path) == true }
    }
}
