import Testing
import Foundation
import Engine

@Suite struct VectorMathTests {
    /// Relative error against libm (absolute near zero) over a sweep of inputs.
    func worstError(_ inputs: [Float], _ approximation: (Float) -> Float, _ reference: (Double) -> Double,
                    floor: Double = 1e-30) -> Double {
        var worst = 0.0
        for input in inputs {
            let expected = reference(Double(input))
            let got = Double(approximation(input))
            if expected.isInfinite || got.isInfinite { if expected != got { return .infinity }; continue }
            worst = max(worst, abs(got - expected) / max(abs(expected), floor))
        }
        return worst
    }

    @Test func expMatchesLibm() {
        let inputs = (0..<20_001).map { -87 + Float($0) * 175.5 / 20_000 }
        #expect(worstError(inputs, fastExp, Foundation.exp) < 5e-7)
        let edges = [-100, -87.5, 88.6, 89, 0, 1, -1, .nan, .infinity, -.infinity, 88.72].map(fastExp)
        #expect(edges[0] == 0 && edges[1] == 0 && edges[2].isFinite && edges[3] == .infinity && edges[4] == 1)
        #expect(edges[7].isNaN && edges[8] == .infinity && edges[9] == 0 && edges[10].isFinite)
    }

    @Test func logAndLog1pMatchLibm() {
        let inputs = (0..<20_001).map { Foundation.pow(10, -30 + Float($0) * 60 / 20_000) }
        #expect(worstError(inputs, fastLog, Foundation.log, floor: 1e-3) < 5e-7)
        let small = (0..<10_001).map { Foundation.pow(10, -12 + Float($0) * 14 / 10_000) }
        #expect(worstError(small, fastLog1p, Foundation.log1p) < 5e-7)
        let edges = [0, -1, 1, .infinity, .nan, 2, 0.5].map(fastLog)
        #expect(edges[0] == -.infinity && edges[1].isNaN && edges[2] == 0 && edges[3] == .infinity && edges[4].isNaN)
        #expect(fastLog1p(-1) == -.infinity && fastLog1p(.infinity) == .infinity && fastLog1p(-2).isNaN && fastLog1p(0) == 0)
    }

    @Test func softplusAndSigmoidMatchScalarForms() {
        let inputs = (0..<20_001).map { -100 + Float($0) * 200 / 20_000 }
        #expect(worstError(inputs, fastSoftplus, { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) }) < 1e-6)
        #expect(worstError(inputs, fastSigmoid, { 1 / (1 + Foundation.exp(-$0)) }) < 1e-6)
        #expect(fastSoftplus(.nan).isNaN && fastSoftplus(.infinity) == .infinity && fastSoftplus(-.infinity) == 0)
        #expect(fastSigmoid(.infinity) == 1 && fastSigmoid(-.infinity) == 0 && fastSigmoid(.nan).isNaN)
    }

    /// The tensor ops run these kernels split over threads: every element, in any tail, is mapped.
    @Test func tensorOpsMapEveryElementOfLargeAndOddSizedTensors() {
        for count in [1, 17, 100_003] {
            let x = Tensor(shape: [count], values: (0..<count).map { Float($0 % 41) - 20.5 })
            let (e, s) = (exp(x).array, softplus(x).array)
            for i in [0, count / 2, count - 1] {
                let v = Double(x.array[i])
                #expect(abs(Double(e[i]) - Foundation.exp(v)) <= 1e-6 * Foundation.exp(v))
                #expect(abs(Double(s[i]) - Foundation.log1p(Foundation.exp(v))) <= 1e-6 * max(1, v))
            }
        }
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
