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

@Suite struct NormalSamplerTests {
    @Test func momentsAndTailsOfTheNormalSampler() {
        let n = 2_000_000
        let values = Tensor.randomNormal([n], generator: RandomGenerator(seed: 123)).array.map(Double.init)
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        let kurtosis = values.map { pow(($0 - mean), 4) }.reduce(0, +) / Double(n) / (variance * variance)
        #expect(abs(mean) < 0.003 && abs(variance - 1) < 0.005 && abs(kurtosis - 3) < 0.03, "mean \(mean) var \(variance) kurt \(kurtosis)")
        // Tail probabilities P(|Z| > t) against the exact values 2(1 − Φ(t)).
        for (t, exact) in [(1.0, 0.317_310_5), (2.0, 0.045_500_3), (3.0, 0.002_699_8)] {
            let observed = Double(values.filter { abs($0) > t }.count) / Double(n)
            #expect(abs(observed - exact) < 5 * (exact * (1 - exact) / Double(n)).squareRoot() + 1e-5, "P(|Z| > \(t)): \(observed) vs \(exact)")
        }
        // Quarter turns: the sign pattern of consecutive pairs is balanced.
        let positive = values.filter { $0 > 0 }.count
        #expect(abs(Double(positive) / Double(n) - 0.5) < 0.002)
        let shifted = Tensor.randomNormal([1001], mean: 5, std: 0.5, generator: RandomGenerator(seed: 3)).array
        #expect(abs(shifted.reduce(0, +) / 1001 - 5) < 0.1)
    }
}
