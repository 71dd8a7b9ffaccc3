// ChapterOptions.swift — the command-line options every chapter shares.
//
// Contract: a chapter embeds `@OptionGroup var common: ChapterOptions` in its ParsableCommand and
// adds its own options beside it. Defaults that depend on the environment or on the chapter
// (data folder, output folder) are resolved by methods, not baked into the parsed values, so
// `--help` shows the rule and the chapter decides the number.

import ArgumentParser
import Foundation

/// How much work a run does.
public enum Profile: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// Seconds: tiny data and one or two epochs, to check that everything runs (tests use this).
    case smoke
    /// Minutes on a laptop: enough training for the figures to show the paper's effect.
    case `default`
    /// The paper's full schedule: hours.
    case paper
}

/// The options shared by every chapter: profile, seed, data and output folders, weaving.
public struct ChapterOptions: ParsableArguments, Sendable {
    /// `--profile`: how much to compute (default `.default`).
    @Option(help: ArgumentHelp("How much to compute: smoke (seconds, for tests), default (minutes, figures show the effect), paper (the paper's full schedule).",
                               valueName: "smoke|default|paper"))
    public var profile: Profile = .default

    /// `--seed`: the seed of the run's random stream (default 1).
    @Option(help: "Seed of the run's single random stream; the same seed gives the same numbers.")
    public var seed: UInt64 = 1

    /// `--data-dir` as given; use `dataDirectory` for the resolved folder.
    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("Folder holding the datasets in their original formats (default: $BAYES_DATA, else ./data).",
                               valueName: "folder"))
    public var dataDir: String?

    /// `--out` as given; use `outputDirectory(chapter:)` for the resolved folder.
    @Option(name: .customLong("out"),
            help: ArgumentHelp("Folder for this chapter's figures, samples and results.json (default: figures/chapterN).",
                               valueName: "folder"))
    public var out: String?

    /// `--no-weave`: skip rewriting the README (see `weave`).
    @Flag(name: .customLong("no-weave"),
          help: "Do not rewrite the chapter's README.md from its source and this run's results.")
    public var noWeave = false

    /// `--weave-only`: rewrite the page from an earlier run's results (see `Weaver.weaveOnlyIfAsked`).
    @Flag(name: .customLong("weave-only"),
          help: "Compute nothing: rewrite the chapter's README.md from its source and the results.json and figures of an earlier run in the output folder.")
    public var weaveOnly = false

    /// Defaults for everything (ArgumentParser fills in what the command line gives).
    public init() {}

    /// The dataset folder: `--data-dir`, else `$BAYES_DATA`, else `./data`.
    public var dataDirectory: URL {
        let path = dataDir ?? ProcessInfo.processInfo.environment["BAYES_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "data"
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// The output folder: `--out`, else `figures/chapter<chapter>` (relative to the current folder).
    public func outputDirectory(chapter: Int) -> URL {
        URL(fileURLWithPath: out ?? "figures/chapter\(chapter)", isDirectory: true)
    }

    /// Whether the chapter should weave its README.md after the run (false with `--no-weave`).
    public var weave: Bool { !noWeave }
}
