// FigureTests.swift — figure data and scripts, drawing with gnuplot, and gnuplot's errors.

import Foundation
import Notebook
import Testing

@Suite struct FigureTests {
    func sampleFigure() -> Figure {
        var figure = Figure(name: "fit", title: "Predictive 'mean'", xLabel: "x", yLabel: "y", width: 400, height: 300)
        figure.band("95% band", x: [0.0, 1.0], lower: [0.5, 1.0], upper: [1.0, 2.0], color: "#1f77b4")
        figure.line("mean", x: [0, 1], y: [Float(0.75), 1.5], color: "#1f77b4")
        figure.points(nil, x: [0.5, 0.7], y: [Double.nan, 1.2])
        figure.yScale = .log()
        figure.raw("set ytics 0.5")
        return figure
    }

    @Test func dataFileHasOneHeaderedBlockPerSeries() {
        let expected = """
            # fit.dat — data of figure 'fit' (script: fit.gp); one block per series, select with `index`.
            # index 0: 95% band
            # x lower upper
            0.0 0.5 1.0
            1.0 1.0 2.0


            # index 1: mean
            # x y
            0 0.75
            1 1.5


            # index 2: (untitled)
            # x y
            0.5 NaN
            0.7 1.2

            """
        #expect(sampleFigure().dataText == expected)
    }

    @Test func scriptUsesRelativePathsAndTheRequestedStyle() {
        let script = sampleFigure().scriptText
        #expect(script.contains("set terminal pngcairo size 400,300 enhanced font 'DejaVu Sans,10'\n"))
        #expect(script.contains("if (!exists(\"outfile\")) outfile = 'fit.png'\nset output outfile\n"))
        #expect(script.contains("set title 'Predictive ''mean'''\n"))
        #expect(script.contains("set logscale y 10.0\n"))
        #expect(script.contains("set ytics 0.5\nplot 'fit.dat' index 0 using 1:2:3 with filledcurves"))
        #expect(script.contains("'fit.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'mean'"))
        #expect(script.contains("'fit.dat' index 2 using 1:2 with points pt 7 ps 0.6 notitle\n"))
        #expect(!script.contains("/"))   // no absolute or folder paths: `cd folder && gnuplot fit.gp` works
    }

    @Test func customSeriesIsTheEscapeHatch() {
        var figure = Figure(name: "steps")
        figure.add(Figure.Series(title: "kl", columns: [Figure.Column("step", [1, 2]), Figure.Column("kl", [0.5, 0.25])],
                                 using: "1:2", style: "steps lw 1"))
        #expect(figure.scriptText.hasSuffix("plot 'steps.dat' index 0 using 1:2 with steps lw 1 title 'kl'\n"))
        #expect(figure.dataText.hasSuffix("# step kl\n1 0.5\n2 0.25\n"))
    }

    @Test func histogramCountsIntoEqualBins() {
        var figure = Figure(name: "h")
        figure.histogram("h", values: [0.0, 0.1, 0.5, 0.99, 1.0, 7.0], bins: 2, range: 0 ... 1)
        let rows = figure.dataText.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(rows == ["0.25 2.0 0.5", "0.75 3.0 0.5"])   // 7 is outside the range; 1.0 goes to the last bin
    }

    @Test(.enabled(if: gnuplotAvailable, "gnuplot not installed"))
    func writesDataScriptAndPNG() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let png = try sampleFigure().write(to: folder)
        #expect(png.lastPathComponent == "fit.png")
        #expect(try contents(of: folder) == ["fit.dat", "fit.gp", "fit.png"])   // no temporary left
        let image = try Image(pngAt: png)
        #expect(image.width == 400 && image.height == 300)

        var bars = Figure(name: "accuracy", yLabel: "accuracy")
        bars.bars(categories: ["MNIST", "CIFAR-10"], series: [("frequentist", [0.99, 0.79]), ("Bayesian", [0.98, 0.73])])
        var histogram = Figure(name: "weights")
        histogram.histogram("weights", values: (0 ..< 100).map { Double($0 % 17) }, bins: 10, density: true)
        try bars.write(to: folder)
        try histogram.write(to: folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("accuracy.png").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("weights.png").path))
    }

    @Test(.enabled(if: gnuplotAvailable, "gnuplot not installed"))
    func gnuplotFailureCarriesItsStderr() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        var figure = sampleFigure()
        figure.raw("set nonsensecommand 42")
        #expect { try figure.write(to: folder) } throws: { error in
            let message = (error as? NotebookError)?.message ?? ""
            return message.contains("gnuplot failed") && message.contains("fit.gp") && message.contains("nonsensecommand")
        }
        #expect(try contents(of: folder) == ["fit.dat", "fit.gp"])   // data kept, no PNG, no temporary
    }

    @Test func missingGnuplotSaysWhatToInstall() throws {
        let folder = try makeScratchFolder()
        defer { removeScratch(folder) }
        let expected = "gnuplot not found: install the Debian package gnuplot-nox (apt-get install gnuplot-nox)"
        #expect(throws: NotebookError(expected)) { try Gnuplot(searchPath: "").locate() }
        #expect(throws: NotebookError(expected)) { try sampleFigure().write(to: folder, gnuplot: Gnuplot(searchPath: folder.path)) }
        #expect(try contents(of: folder) == ["fit.dat", "fit.gp"])   // the data survives for `make plots`
    }
}
