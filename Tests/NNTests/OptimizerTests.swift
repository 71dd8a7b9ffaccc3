import Foundation
import Testing
import Engine
import NN

/// A parameter p with a fixed gradient g, as after a backward pass.
private func parameter(_ values: [Float], grad: [Float]) -> Tensor {
    let p = Tensor(shape: [values.count], values: values, requiresGrad: true)
    p.grad = Tensor(shape: [grad.count], values: grad)
    return p
}

private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite struct OptimizerTests {
    @Test func plainSGDStep() {
        let p = parameter([1, -2], grad: [0.5, 1])
        SGD(parameters: [p], learningRate: 0.1).step()
        #expect(close(p.array, [0.95, -2.1]))
    }

    /// μ = 0.9, λ = 0.1, η = 0.1, g = (0.5, 1) both steps:
    /// step 1: g' = g + λp = (0.6, 0.8), b = g', p = (0.94, −2.08);
    /// step 2: g' = (0.594, 0.792), b = 0.9·(0.6, 0.8) + g' = (1.134, 1.512), p = (0.8266, −2.2312).
    @Test func momentumSGDWithWeightDecay() {
        let p = parameter([1, -2], grad: [0.5, 1])
        let sgd = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        sgd.step()
        #expect(close(p.array, [0.94, -2.08]))
        sgd.step()
        #expect(close(p.array, [0.8266, -2.2312]))
        #expect(close(sgd.momentumBuffers[0].array, [1.134, 1.512]))
        #expect(sgd.namedState.map(\.0) == ["0.momentum_buffer"])
    }

    /// Nesterov: b = g = (0.5, 1), d = g + μb = (0.95, 1.9), p = (0.905, −2.19).
    @Test func nesterovSGDStep() {
        let p = parameter([1, -2], grad: [0.5, 1])
        SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, nesterov: true).step()
        #expect(close(p.array, [0.905, -2.19]))
    }

    /// η = 0.1, β = (0.9, 0.999). Step 1 with g = (0.5, 1): m̂ = g, v̂ = g², so p moves by
    /// η·sign(g) to (0.9, −2.1). Step 2 with g = (0.25, −1): m = (0.07, −0.01),
    /// v = (3.1225e-4, 1.999e-3), m̂ = m/0.19, v̂ = v/0.001999 ⇒ p = (0.806782, −2.094737).
    @Test func adamTwoSteps() {
        let p = parameter([1, -2], grad: [0.5, 1])
        let adam = Adam(parameters: [p], learningRate: 0.1)
        adam.step()
        #expect(close(p.array, [0.9, -2.1]))
        p.grad = Tensor(shape: [2], values: [0.25, -1])
        adam.step()
        #expect(close(p.array, [0.806782, -2.094737]))
        #expect(close(adam.firstMoments[0].array, [0.07, -0.01]))
        #expect(close(adam.secondMoments[0].array, [3.1225e-4, 1.999e-3], 1e-7))
        #expect(adam.stepCounts[0].item == 2)
        #expect(adam.namedState.map(\.0) == ["0.exp_avg", "0.exp_avg_sq", "0.step"])
    }

    /// L2 decay joins the gradient: g' = (0.5, 1) + 1·(1, −2) = (1.5, −1), so p moves by η·sign(g').
    @Test func adamWeightDecayIsL2() {
        let p = parameter([1, -2], grad: [0.5, 1])
        Adam(parameters: [p], learningRate: 0.1, weightDecay: 1).step()
        #expect(close(p.array, [0.9, -1.9]))
    }

    @Test func parametersWithoutGradientAreSkipped() {
        let p = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let adam = Adam(parameters: [p])
        adam.step()
        #expect(p.array == [1, 2] && adam.stepCounts[0].item == 0)
        let q = parameter([1], grad: [1])
        adam.zeroGrad()
        #expect(p.grad == nil)
        _ = q
    }

    /// Gradients (3, 4) and (12) have total norm 13; clipping to 6.5 halves them.
    @Test func gradientClipping() {
        let a = parameter([0, 0], grad: [3, 4])
        let b = parameter([0], grad: [12])
        let total = clipGradientNorm([a, b], maxNorm: 6.5)
        #expect(abs(total - 13) < 1e-5)
        #expect(close(a.grad!.array, [1.5, 2]) && close(b.grad!.array, [6]))
        #expect(abs(clipGradientNorm([a, b], maxNorm: 100) - 6.5) < 1e-5)
        #expect(close(a.grad!.array, [1.5, 2]))
    }

    /// The classic test of a hidden layer: XOR is not linearly separable.
    @Test func mlpLearnsXORWithAdam() {
        let generator = RandomGenerator(seed: 42)
        let model = Sequential(Linear(2, 8, generator: generator), Tanh(), Linear(8, 2, generator: generator))
        let x = Tensor(shape: [4, 2], values: [0, 0, 0, 1, 1, 0, 1, 1])
        let labels = [0, 1, 1, 0]
        let adam = Adam(parameters: model.parameters, learningRate: 0.05)
        var loss: Float = .infinity
        for _ in 0..<300 {
            adam.zeroGrad()
            let l = crossEntropy(logits: model(x), labels: labels)
            l.backward()
            adam.step()
            loss = l.item
        }
        let logits = withoutGradient { model(x) }
        #expect(accuracy(logits: logits, labels: labels) == 1)
        #expect(loss < 0.05, "final loss \(loss)")
    }
}
