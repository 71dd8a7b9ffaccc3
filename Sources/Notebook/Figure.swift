// Figure.swift — gnuplot figures written as data + script + PNG, so they can be re-drawn without training.
//
// Contract: `Figure.write(to: folder)` writes, atomically, three files into `folder`:
//   name.dat  the numbers: one block per series (gnuplot `index` 0, 1, …), blocks separated by two blank
//             lines, each block opened by `# index i: title` and a `#` header line naming its columns;
//   name.gp   the gnuplot script (pngcairo terminal), all paths relative to `folder`, so
//             `cd folder && gnuplot name.gp` re-draws name.png (this is what `make plots` does);
//   name.png  drawn by running gnuplot, which writes a temporary file that is then renamed into place.
// The .dat and .gp files are written before gnuplot runs: if gnuplot is missing or fails, the data
// survives and the figure can be drawn later.
//
// gnuplot's enhanced text mode is on: in titles and labels `_x` is a subscript, `^x` a superscript,
// and `{/Symbol s}` a Greek letter; write `\\_` for a literal underscore.

import Foundation

/// A number that can go into a figure's data file (Double, Float, Int).
public protocol PlotValue {
    /// The value as a Double, for the figure's own arithmetic (histogram bins).
    var plotDouble: Double { get }
    /// The value as written in the data file: shortest exact decimal, `NaN` for non-finite values.
    var plotText: String { get }
}

extension Double: PlotValue {
    public var plotDouble: Double { self }
    public var plotText: String { isFinite ? "\(self)" : "NaN" }
}

extension Float: PlotValue {
    public var plotDouble: Double { Double(self) }
    public var plotText: String { isFinite ? "\(self)" : "NaN" }
}

extension Int: PlotValue {
    public var plotDouble: Double { Double(self) }
    public var plotText: String { "\(self)" }
}

/// How an axis maps values to positions.
public enum AxisScale: Sendable, Equatable {
    /// Evenly spaced values.
    case linear
    /// Logarithmic, with tick labels at powers of `base`.
    case log(base: Double = 10)
}

/// A 2-D plot: axes, labels, a key, and series drawn in the order they were added.
///
///     var figure = Figure(name: "fit", title: "Predictive distribution", xLabel: "x", yLabel: "y")
///     figure.band("95% interval", x: xs, lower: lo, upper: hi, color: "#1f77b4")
///     figure.line("predictive mean", x: xs, y: mean, color: "#1f77b4")
///     figure.points("training data", x: trainX, y: trainY)
///     try figure.write(to: outputDirectory)        // fit.dat, fit.gp, fit.png
public struct Figure: Sendable {
    /// File stem of the .dat, .gp and .png files (letters, digits, `-`, `_`, `.`).
    public var name: String
    /// Title above the plot.
    public var title: String?
    /// Label of the x axis.
    public var xLabel: String?
    /// Label of the y axis.
    public var yLabel: String?
    /// PNG width in pixels; default 800.
    public var width: Int
    /// PNG height in pixels; default 500.
    public var height: Int
    /// Scale of the x axis; default linear.
    public var xScale: AxisScale = .linear
    /// Scale of the y axis; default linear (`.log()` for losses that fall by orders of magnitude).
    public var yScale: AxisScale = .linear
    /// Fixed x range; nil lets gnuplot choose.
    public var xRange: ClosedRange<Double>?
    /// Fixed y range; nil lets gnuplot choose.
    public var yRange: ClosedRange<Double>?
    /// gnuplot `set key` arguments (e.g. "top left", "bottom right box"); nil hides the key. Default "top right".
    public var key: String? = "top right"
    /// Light grid lines behind the plot; default on.
    public var grid = true
    /// Raw gnuplot lines placed after the generated settings and before `plot` (the escape hatch).
    public var commands: [String] = []
    /// The series, drawn in this order (later ones on top).
    public var series: [Series] = []

    /// A colour cycle that reads well on white and in grey print (Tableau 10).
    public static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// An empty figure.
    /// - Parameters: `name` the file stem; labels optional; `width`×`height` the PNG size (default 800×500).
    public init(name: String, title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                width: Int = 800, height: Int = 500) {
        precondition(!name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) },
                     "figure name '\(name)' must be letters, digits, '-', '_' or '.' (it is a file name)")
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    // MARK: Series builders

    /// A line through (x[i], y[i]).
    /// - Parameters: `color` a gnuplot colour ("#rrggbb" or a name), nil for the automatic cycle;
    ///   `lineWidth` default 2; `dashed` draws a dashed line.
    public mutating func line(_ title: String?, x: [some PlotValue], y: [some PlotValue],
                              color: String? = nil, lineWidth: Double = 2, dashed: Bool = false) {
        add(Series(title: title, columns: [Column("x", x), Column("y", y)], using: "1:2",
                   style: "lines lw \(lineWidth)" + (dashed ? " dt 2" : "") + colorClause("lc", color)))
    }

    /// A shaded band between `lower` and `upper` over x (gnuplot `filledcurves`), e.g. a 95% interval.
    /// - Parameter opacity: fill opacity in 0…1, default 0.25 (lines drawn later stay visible).
    public mutating func band(_ title: String?, x: [some PlotValue], lower: [some PlotValue], upper: [some PlotValue],
                              color: String? = nil, opacity: Double = 0.25) {
        add(Series(title: title, columns: [Column("x", x), Column("lower", lower), Column("upper", upper)],
                   using: "1:2:3",
                   style: "filledcurves fs transparent solid \(opacity) noborder" + colorClause("fc", color)))
    }

    /// Unconnected markers at (x[i], y[i]).
    /// - Parameter size: point size, default 0.6; `pointType` a gnuplot point type (7 = filled circle).
    public mutating func points(_ title: String?, x: [some PlotValue], y: [some PlotValue],
                                color: String? = nil, size: Double = 0.6, pointType: Int = 7) {
        add(Series(title: title, columns: [Column("x", x), Column("y", y)], using: "1:2",
                   style: "points pt \(pointType) ps \(size)" + colorClause("lc", color)))
    }

    /// Markers at (x[i], y[i]) with vertical error bars of half-length `error[i]`.
    public mutating func errorBars(_ title: String?, x: [some PlotValue], y: [some PlotValue],
                                   error: [some PlotValue], color: String? = nil) {
        add(Series(title: title, columns: [Column("x", x), Column("y", y), Column("error", error)],
                   using: "1:2:3", style: "yerrorbars pt 7 ps 0.6" + colorClause("lc", color)))
    }

    /// A histogram of `values`: `bins` equal-width bins over `range` (default: the values' min…max),
    /// drawn as boxes. Values outside the range (and NaNs) are not counted.
    /// - Parameter density: divide counts by (N · bin width), so the boxes integrate to 1 (to compare
    ///   samples of different sizes, or overlay a density).
    public mutating func histogram(_ title: String?, values: [some PlotValue], bins: Int = 30,
                                   range: ClosedRange<Double>? = nil, density: Bool = false,
                                   color: String? = nil, opacity: Double = 0.5) {
        precondition(bins >= 1, "a histogram needs at least one bin")
        let numbers = values.map(\.plotDouble).filter(\.isFinite)
        var range = range ?? ((numbers.min() ?? 0) ... (numbers.max() ?? 1))
        if range.lowerBound == range.upperBound { range = range.lowerBound - 0.5 ... range.upperBound + 0.5 }
        let binWidth = (range.upperBound - range.lowerBound) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for v in numbers where range.contains(v) {
            // The top edge belongs to the last bin, so max(values) is counted.
            counts[Swift.min(Int((v - range.lowerBound) / binWidth), bins - 1)] += 1
        }
        if density, !numbers.isEmpty { counts = counts.map { $0 / (Double(numbers.count) * binWidth) } }
        let centers = (0 ..< bins).map { range.lowerBound + (Double($0) + 0.5) * binWidth }
        add(Series(title: title,
                   columns: [Column("center", centers), Column(density ? "density" : "count", counts),
                             Column("width", [Double](repeating: binWidth, count: bins))],
                   using: "1:2:3",
                   style: "boxes fs transparent solid \(opacity) border lc rgb '#404040'" + colorClause("fc", color)))
    }

    /// A bar chart over named categories; several series make grouped bars side by side.
    /// Sets the x tics to the category names.
    ///
    ///     figure.bars(categories: ["MNIST", "CIFAR-10"], series: [("frequentist", [0.99, 0.79]),
    ///                                                            ("Bayesian", [0.98, 0.73])])
    public mutating func bars(categories: [String], series groups: [(title: String, values: [Double])],
                              colors: [String]? = nil) {
        precondition(!groups.isEmpty && groups.allSatisfy { $0.values.count == categories.count },
                     "bars: every series needs one value per category (\(categories.count))")
        let barWidth = 0.8 / Double(groups.count)
        for (j, group) in groups.enumerated() {
            // Category i is centred at x = i; the group's bars share the 0.8 wide slot around it.
            let positions = categories.indices.map { Double($0) - 0.4 + barWidth * (Double(j) + 0.5) }
            let color = colors.map { $0[j % $0.count] } ?? Figure.palette[j % Figure.palette.count]
            add(Series(title: group.title,
                       columns: [Column("position", positions), Column("value", group.values),
                                 Column("width", [Double](repeating: barWidth, count: categories.count)),
                                 Column("category", labels: categories)],
                       using: "1:2:3", style: "boxes fs solid 0.8 border lc rgb '#404040'" + colorClause("fc", color)))
        }
        let tics = categories.enumerated().map { "\(Figure.quoted($0.element)) \($0.offset)" }
        commands.append("set xtics (\(tics.joined(separator: ", ")))")
        commands.append("set xrange [-0.6:\(Double(categories.count) - 0.4)]")
    }

    /// Adds a raw gnuplot command line before `plot` (e.g. "set ytics 0.1", "set label 1 'x' at 0,0").
    public mutating func raw(_ line: String) {
        commands.append(line)
    }

    /// Adds any series: your columns, your `using` and `with` clauses (the escape hatch for plot styles
    /// the builders above do not cover).
    public mutating func add(_ series: Series) {
        self.series.append(series)
    }

    // MARK: Files

    /// The data file's text: one block per series, separated by two blank lines (gnuplot `index`).
    public var dataText: String {
        var text = "# \(name).dat — data of figure '\(name)' (script: \(name).gp); one block per series, select with `index`.\n"
        for (index, series) in series.enumerated() {
            if index > 0 { text += "\n\n" }
            text += "# index \(index): \(series.title ?? "(untitled)")\n"
            text += "# " + series.columns.map { $0.name.split(whereSeparator: \.isWhitespace).joined(separator: "_") }
                .joined(separator: " ") + "\n"
            for row in 0 ..< (series.columns.first?.cells.count ?? 0) {
                text += series.columns.map { $0.cells[row] }.joined(separator: " ") + "\n"
            }
        }
        return text
    }

    /// The gnuplot script's text. Output goes to `outfile` if defined (`gnuplot -e "outfile='x.png'"`),
    /// else to name.png; the data file is found relative to the current folder.
    public var scriptText: String {
        var lines = [
            "# \(name).gp — draws \(name).png from \(name).dat. Re-draw with: cd <this folder> && gnuplot \(name).gp",
            "set terminal pngcairo size \(width),\(height) enhanced font 'DejaVu Sans,10'",
            "if (!exists(\"outfile\")) outfile = '\(name).png'",
            "set output outfile",
            "set datafile missing 'NaN'",
        ]
        if let title { lines.append("set title \(Figure.quoted(title))") }
        if let xLabel { lines.append("set xlabel \(Figure.quoted(xLabel))") }
        if let yLabel { lines.append("set ylabel \(Figure.quoted(yLabel))") }
        lines.append(key.map { "set key \($0)" } ?? "unset key")
        if grid { lines.append("set grid lc rgb '#dddddd'") }
        if case .log(let base) = xScale { lines.append("set logscale x \(base.plotText)") }
        if case .log(let base) = yScale { lines.append("set logscale y \(base.plotText)") }
        if let xRange { lines.append("set xrange [\(xRange.lowerBound.plotText):\(xRange.upperBound.plotText)]") }
        if let yRange { lines.append("set yrange [\(yRange.lowerBound.plotText):\(yRange.upperBound.plotText)]") }
        lines += commands
        precondition(!series.isEmpty, "figure '\(name)' has nothing to plot")
        let clauses = series.enumerated().map { index, series in
            "'\(name).dat' index \(index) using \(series.using) with \(series.style) "
                + (series.title.map { "title \(Figure.quoted($0))" } ?? "notitle")
        }
        lines.append("plot " + clauses.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes name.dat and name.gp into `directory` (atomically; the folder is created if needed)
    /// without drawing. Returns the script's URL.
    @discardableResult
    public func writeSources(to directory: URL) throws -> URL {
        let script = directory.appendingPathComponent("\(name).gp")
        try AtomicFile.write(dataText, to: directory.appendingPathComponent("\(name).dat"))
        try AtomicFile.write(scriptText, to: script)
        return script
    }

    /// Writes name.dat and name.gp into `directory`, then runs gnuplot to draw name.png there.
    /// - Parameter gnuplot: where gnuplot is found; default: on PATH.
    /// - Returns: the PNG's URL.
    /// - Throws: `NotebookError` if gnuplot is missing (naming the package to install) or fails (with its stderr).
    @discardableResult
    public func write(to directory: URL, gnuplot: Gnuplot = Gnuplot()) throws -> URL {
        let script = try writeSources(to: directory)
        let png = directory.appendingPathComponent("\(name).png")
        try gnuplot.render(script: script, to: png)
        return png
    }

    // MARK: Helpers

    /// A gnuplot single-quoted string (a quote inside is doubled).
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func colorClause(_ keyword: String, _ color: String?) -> String {
        color.map { " \(keyword) rgb \(Figure.quoted($0))" } ?? ""
    }
}

// MARK: - Series and columns

extension Figure {
    /// One column of a series' data block: a name for the header line and its cells.
    public struct Column: Sendable {
        /// Header name (whitespace is replaced by `_` so it stays one token).
        public var name: String
        /// The cells, already formatted for the data file.
        public var cells: [String]

        /// A numeric column.
        public init(_ name: String, _ values: [some PlotValue]) {
            self.name = name
            self.cells = values.map(\.plotText)
        }

        /// A text column (e.g. category labels), written double-quoted so gnuplot reads each as one field.
        public init(_ name: String, labels: [String]) {
            self.name = name
            self.cells = labels.map { "\"" + $0.replacingOccurrences(of: "\"", with: "'") + "\"" }
        }
    }

    /// One thing drawn by the `plot` command: a data block and how to draw it.
    public struct Series: Sendable {
        /// Legend entry; nil for none (`notitle`).
        public var title: String?
        /// The data block's columns, all of one length.
        public var columns: [Column]
        /// The gnuplot `using` specification, e.g. "1:2" or "1:2:3".
        public var using: String
        /// The gnuplot `with` clause, e.g. "lines lw 2" or "filledcurves fs transparent solid 0.25".
        public var style: String

        /// A series from its parts. - Precondition: at least one column, all of one length.
        public init(title: String?, columns: [Column], using: String, style: String) {
            precondition(!columns.isEmpty, "a series needs at least one column")
            precondition(Set(columns.map(\.cells.count)).count == 1,
                         "series '\(title ?? "")': columns differ in length \(columns.map { "\($0.name)=\($0.cells.count)" })")
            self.title = title
            self.columns = columns
            self.using = using
            self.style = style
        }
    }
}

/// Locates and runs gnuplot.
public struct Gnuplot: Sendable {
    /// An explicit gnuplot binary; nil searches `searchPath`.
    public var executable: URL?
    /// Colon-separated folders to search (default: the PATH environment variable).
    public var searchPath: String?

    /// - Parameters: `executable` a specific binary (default nil: search); `searchPath` default `$PATH`.
    public init(executable: URL? = nil, searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) {
        self.executable = executable
        self.searchPath = searchPath
    }

    /// The gnuplot binary to run.
    /// - Throws: `NotebookError` "gnuplot not found: install the Debian package gnuplot-nox (apt-get install gnuplot-nox)".
    public func locate() throws -> URL {
        if let executable {
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw NotebookError("gnuplot not found at \(executable.path): install the Debian package gnuplot-nox (apt-get install gnuplot-nox)")
            }
            return executable
        }
        guard let found = Executable.find("gnuplot", searchPath: searchPath) else {
            throw NotebookError("gnuplot not found: install the Debian package gnuplot-nox (apt-get install gnuplot-nox)")
        }
        return found
    }

    /// Runs `script` in its own folder with output to a temporary PNG, then renames that to `png`.
    /// Warnings gnuplot prints on success are passed on to standard error.
    public func render(script: URL, to png: URL) throws {
        let binary = try locate()
        let temporary = AtomicFile.temporaryURL(besides: png)
        let result: (status: Int32, output: String)
        do {
            result = try Executable.run(binary, arguments: ["-e", "outfile=\(Figure.quoted(temporary.lastPathComponent))",
                                                            script.lastPathComponent],
                                        in: script.deletingLastPathComponent(), capture: .standardError)
        } catch {
            throw NotebookError("cannot run \(binary.path) for \(script.path): \(error.localizedDescription)")
        }
        let messages = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, FileManager.default.fileExists(atPath: temporary.path) else {
            try? FileManager.default.removeItem(at: temporary)
            throw NotebookError("gnuplot failed on \(script.path) (exit status \(result.status)):\n\(messages)")
        }
        if !messages.isEmpty {
            FileHandle.standardError.write(Data("gnuplot (\(script.lastPathComponent)): \(messages)\n".utf8))
        }
        try AtomicFile.moveReplacing(temporary, to: png)
    }
}
