import Testing
import Engine

@Suite struct ReductionTests {
    @Test func sumAndMeanOverAxes() {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(sum(x).item == 21)
        #expect(sum(x, axes: [0]).array == [5, 7, 9])
        #expect(sum(x, axes: [1], keepDims: true).shape == [2, 1])
        #expect(mean(x, axes: [1]).array == [2, 5])
        #expect(max(x, axis: 1).array == [3, 6])
    }

    @Test func reductionGradients() {
        let x = sample([2, 3, 4], seed: 7)
        for (name, f) in [("sum", { (t: Tensor) in sum(t, axes: [1]) }),
                          ("mean", { mean($0, axes: [0, 2], keepDims: true) }),
                          ("max", { max($0, axis: 2) }),
                          ("logsumexp", { logSumExp($0, axis: 1) }),
                          ("softmax", { softmax($0, axis: 1) }),
                          ("logSoftmax", { logSoftmax($0) })] {
            let result = checkGradients(of: [x]) { projected(f($0[0])) }
            #expect(result.passed, "\(name): \(result)")
        }
    }

    @Test func softmaxIsStableAtExtremeLogits() {
        let x = Tensor(shape: [2, 3], values: [1e4, -1e4, 0, -1e4, -1e4, -1e4])
        let p = softmax(x).array
        let lp = logSoftmax(x).array
        #expect(p.allSatisfy { $0.isFinite } && lp.allSatisfy { $0.isFinite })
        #expect(p[0] == 1 && p[1] == 0)
        #expect(Swift.abs(p[3] - 1.0 / 3) < 1e-6)
        #expect(lp[0] == 0 && lp[1] == -2e4)
        let lse = logSumExp(x, axis: 1).array
        #expect(lse[0] == 1e4 && Swift.abs(lse[1] - (-1e4 + 1.0986123)) < 1e-2)
    }
}
