import Testing
import Foundation
import Engine

@Suite struct VectorMathTests {
    /// Relative error against libm (absolute near zero) over a sweep of inputs.
    func worstError(_ inputs: [Float], _ vector: (Float16Lanes) -> Float16Lanes, _ reference: (Double) -> Double,
                    floor: Double = 1e-30) -> Double {
        var worst = 0.0
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var lanes = Float16Lanes(repeating: 1)
            let n = min(16, inputs.count - start)
            for j in 0..<n { lanes[j] = inputs[start + j] }
            let result = vector(lanes)
            for j in 0..<n {
                let expected = reference(Double(inputs[start + j]))
                let got = Double(result[j])
                if expected.isInfinite || got.isInfinite { if expected != got { return .infinity }; continue }
                worst = max(worst, abs(got - expected) / max(abs(expected), floor))
            }
        }
        return worst
    }

    @Test func expMatchesLibm() {
        let inputs = (0..<20_001).map { -87 + Float($0) * 175.5 / 20_000 }
        #expect(worstError(inputs, vectorExp, Foundation.exp) < 5e-7)
        let edges = vectorExp(Float16Lanes([-100, -87.5, 88.6, 89, 0, 1, -1, .nan, .infinity, -.infinity, 88.72, 1e-8, -1e-8, 10, 20, 30]))
        #expect(edges[0] == 0 && edges[1] == 0 && edges[2].isFinite && edges[3] == .infinity && edges[4] == 1)
        #expect(edges[7].isNaN && edges[8] == .infinity && edges[9] == 0 && edges[10].isFinite)
    }

    @Test func logAndLog1pMatchLibm() {
        let inputs = (0..<20_001).map { Foundation.pow(10, -30 + Float($0) * 60 / 20_000) }
        #expect(worstError(inputs, vectorLog, Foundation.log, floor: 1e-3) < 5e-7)
        let small = (0..<10_001).map { Foundation.pow(10, -12 + Float($0) * 14 / 10_000) }
        #expect(worstError(small, vectorLog1p, Foundation.log1p) < 5e-7)
        let edges = vectorLog(Float16Lanes([0, -1, 1, .infinity, .nan, 2, 0.5, 1e-38, 3, 4, 5, 6, 7, 8, 9, 10]))
        #expect(edges[0] == -.infinity && edges[1].isNaN && edges[2] == 0 && edges[3] == .infinity && edges[4].isNaN)
    }

    @Test func softplusAndSigmoidMatchScalarForms() {
        let inputs = (0..<20_001).map { -100 + Float($0) * 200 / 20_000 }
        #expect(worstError(inputs, vectorSoftplus, { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) }) < 1e-6)
        #expect(worstError(inputs, vectorSigmoid, { 1 / (1 + Foundation.exp(-$0)) }) < 1e-6)
    }
}
