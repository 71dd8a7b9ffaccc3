import Testing
import Foundation
import Notebook

@Suite(.serialized) struct Chapter1Tests {
    @Test func smokeProfileWritesFiguresAndResults() throws {
        let (results, output) = try ChapterRunner.run(1, ["--profile", "smoke", "--seed", "3"])
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(results.profile == "smoke" && results.seed == 3 && results.chapter == 1)
        for figure in ["regression-bbb", "loss", "regression-lrt", "regression-flipout", "regression-frequentist"] {
            for suffix in ["png", "gp", "dat"] {
                let path = output.appendingPathComponent("\(figure).\(suffix)").path
                #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
            }
        }
        let png = try Data(contentsOf: output.appendingPathComponent("regression-bbb.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    /// The source's full recipe: 2000 epochs, 100 predictive samples. A faithful PyTorch run lands
    /// 0.3–1.0 off on average at the training inputs, with a band 1.5–3× wider at x = ±4.
    @Test(arguments: [UInt64(1), 2])
    func fullRecipeFitsTheDataAndWidensAwayFromIt(seed: UInt64) throws {
        let (results, output) = try ChapterRunner.run(1, ["--profile", "default", "--seed", "\(seed)"])
        defer { try? FileManager.default.removeItem(at: output) }
        let error = ChapterRunner.number(results, "bbb.meanAbsErrorAtTrainingX")
        #expect(error <= 1.0, "mean |error| at the training x: \(error)")
        let atData = ChapterRunner.number(results, "bbb.maxBandWidthAtTrainingX")
        let farLeft = ChapterRunner.number(results, "bbb.bandWidthAtMinus4")
        let farRight = ChapterRunner.number(results, "bbb.bandWidthAtPlus4")
        #expect(farLeft > atData && farRight > atData, "band at ±4: \(farLeft), \(farRight); at data ≤ \(atData)")
        #expect(ChapterRunner.number(results, "bbb.lossLast50") < ChapterRunner.number(results, "bbb.lossFirst50"))
        #expect(ChapterRunner.number(results, "frequentist.bandWidthAtPlus4") == 0)
    }
}
