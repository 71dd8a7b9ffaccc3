// bench — throughput of the engine's convolution kernels on the chapters' layer shapes.
//
// For every convolution of LeNet-5 (MNIST 1×32×32), AlexNet (CIFAR 3×32×32) and 3Conv3FC at batch 256
// it times the forward pass, the input gradient and the weight gradient, and reports milliseconds
// (best of several runs: the machine may be shared) and GFLOP/s (2 flops per multiply-add). The
// reference point is a large square SGEMM, the best this BLAS can do; "gemm share" is the rate of the
// conv's own GEMM (same m, n, k, no im2col) as a fraction of it. "(im2col ms)" times the im2col
// reference path of the forward, which differs from "fwd" where conv2dForward takes the direct
// kernel (stride 1, rows of 8 or more pixels, at least 4 output channels). Results also go to bench.json.
//
// Run: `swift run -c release bench` (with OPENBLAS_CORETYPE unset to let OpenBLAS pick its kernels).

import CBLAS
import Engine
import Models
import Foundation

// MARK: - Timing

/// BENCH_CLOCK=cpu times by the process's CPU time instead of the wall clock: on a shared machine
/// that is the steadier measure of work (but it also counts threads spinning while they wait).
let cpuClock = ProcessInfo.processInfo.environment["BENCH_CLOCK"] == "cpu"

func now() -> Double {
    var t = timespec()
    clock_gettime(cpuClock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Best wall time of `body` in seconds: one warm-up, then repeats until `budget` seconds or `maxRuns`.
func bestTime(budget: Double = 0.6, minRuns: Int = 3, maxRuns: Int = 20, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity, runs = 0
    let start = now()
    while runs < minRuns || (runs < maxRuns && now() - start < budget) {
        let t0 = now()
        body()
        best = min(best, now() - t0)
        runs += 1
    }
    return best
}

func gflops(_ multiplyAdds: Int, _ seconds: Double) -> Double { 2 * Double(multiplyAdds) / seconds * 1e-9 }

/// GFLOP/s of one row-major SGEMM C[m×n] = A[m×k]·B[k×n] with the given transposes, split over the
/// kernel threads as the engine runs every large GEMM (`parallelGEMM`: OpenBLAS on each worker).
func sgemmRate(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false) -> Double {
    let generator = RandomGenerator(seed: 1)
    let a = Tensor.randomNormal([m * k], generator: generator), b = Tensor.randomNormal([k * n], generator: generator)
    let c = Tensor(zeros: [m * n])
    let t = bestTime { parallelGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.data, b: b.data, c: c.data) }
    return gflops(m * n * k, t)
}

if CommandLine.arguments.dropFirst().first == "profile" {
    runProfileLoop(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

// MARK: - Machine

let config = openblas_get_config().map { String(cString: $0) } ?? "?"
_ = Tensor(zeros: [1])                           // the engine's process setup: OpenBLAS on the calling thread
let coreName = blasKernelsDescription
let blasThreads = Int(openblas_get_num_threads())
if cpuClock { print("timing by process CPU time (BENCH_CLOCK=cpu)") }
print("OpenBLAS core \(coreName), config \(config.trimmingCharacters(in: .whitespaces)), \(blasThreads) thread(s) per call;",
      "kernel threads \(kernelThreadCount); OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")")

let squareSize = 1024
let squareRate = sgemmRate(m: squareSize, n: squareSize, k: squareSize)
print(String(format: "sgemm %d³: %.1f GFLOP/s", squareSize, squareRate))

// MARK: - Element-wise kernels

/// Nanoseconds per element of the activation and σ = softplus(ρ) kernels, on LeNet-5's largest
/// activation (batch 256 × 6 × 28 × 28), against libm in a plain loop.
print("")
let activations = Tensor.randomNormal([256, 6, 28, 28], std: 4, generator: RandomGenerator(seed: 3))
let activationCount = activations.count
func nanosecondsPerElement(_ body: () -> Void) -> Double { bestTime(body) / Double(activationCount) * 1e9 }
let libmSoftplus = nanosecondsPerElement {
    let out = Tensor(uninitializedShape: activations.shape)
    for i in 0..<activations.count { out.data[i] = Engine.softplus(activations.data[i]) }
}
var elementwise: [String: Double] = ["softplus_libm": libmSoftplus]
for (name, op) in [("exp", { (x: Tensor) in exp(x) }), ("softplus", { softplus($0) }), ("sigmoid", { sigmoid($0) }),
                   ("relu", { relu($0) })] {
    elementwise[name] = nanosecondsPerElement { _ = op(activations) }
}
print(String(format: "element-wise, %d values, ns/value: exp %.2f  softplus %.2f (libm loop %.2f)  sigmoid %.2f  relu %.2f",
             activations.count, elementwise["exp"]!, elementwise["softplus"]!, libmSoftplus, elementwise["sigmoid"]!,
             elementwise["relu"]!))

// MARK: - Convolution layers of the chapters

struct Layer {
    let name: String
    let input: [Int]   // [N, C, H, W]
    let weight: [Int]  // [OC, C, K, K]
    let stride: Int, padding: Int
}

let batch = 256
let layers = [
    Layer(name: "LeNet conv1 1→6 k5", input: [batch, 1, 32, 32], weight: [6, 1, 5, 5], stride: 1, padding: 0),
    Layer(name: "LeNet conv2 6→16 k5", input: [batch, 6, 14, 14], weight: [16, 6, 5, 5], stride: 1, padding: 0),
    Layer(name: "AlexNet conv1 3→64 k11 s4 p5", input: [batch, 3, 32, 32], weight: [64, 3, 11, 11], stride: 4, padding: 5),
    Layer(name: "AlexNet conv2 64→192 k5 p2", input: [batch, 64, 4, 4], weight: [192, 64, 5, 5], stride: 1, padding: 2),
    Layer(name: "AlexNet conv3 192→384 k3 p1", input: [batch, 192, 2, 2], weight: [384, 192, 3, 3], stride: 1, padding: 1),
    Layer(name: "AlexNet conv4 384→256 k3 p1", input: [batch, 384, 2, 2], weight: [256, 384, 3, 3], stride: 1, padding: 1),
    Layer(name: "AlexNet conv5 256→128 k3 p1", input: [batch, 256, 2, 2], weight: [128, 256, 3, 3], stride: 1, padding: 1),
    Layer(name: "3Conv3FC conv1 3→32 k5 p2", input: [batch, 3, 32, 32], weight: [32, 3, 5, 5], stride: 1, padding: 2),
    Layer(name: "3Conv3FC conv2 32→64 k5 p2", input: [batch, 32, 15, 15], weight: [64, 32, 5, 5], stride: 1, padding: 2),
    Layer(name: "3Conv3FC conv3 64→128 k5 p1", input: [batch, 64, 7, 7], weight: [128, 64, 5, 5], stride: 1, padding: 1),
]

struct LayerResult: Codable {
    let name: String
    let input: [Int], weight: [Int], output: [Int]
    let stride: Int, padding: Int
    let gflop: Double
    let forwardMs: Double, forwardIm2colMs: Double, backwardInputMs: Double, backwardWeightMs: Double
    let forwardGflops: Double, backwardInputGflops: Double, backwardWeightGflops: Double
    /// The conv forward's GEMM alone (m = OC, n = N·P, k = C·K², whole batch) as a share of the square SGEMM rate.
    let forwardGemmShare: Double
}

print("")
print("layer                            output            fwd ms  GF/s  (im2col ms)  bwd-in ms GF/s   bwd-w ms GF/s   gemm share")
var results: [LayerResult] = []
for layer in layers {
    let generator = RandomGenerator(seed: 7)
    let x = Tensor.randomNormal(layer.input, generator: generator)
    let w = Tensor.randomNormal(layer.weight, std: 0.1, generator: generator)
    let b = Tensor.randomNormal([layer.weight[0]], generator: generator)
    var y = conv2dForward(x, weight: w, bias: b, stride: layer.stride, padding: layer.padding)
    let dy = Tensor.randomNormal(y.shape, generator: generator)
    let (oc, pixels) = (y.shape[1], y.shape[2] * y.shape[3])
    let patch = layer.weight[1] * layer.weight[2] * layer.weight[3]
    let multiplyAdds = batch * oc * pixels * patch

    let forward = bestTime { y = conv2dForward(x, weight: w, bias: b, stride: layer.stride, padding: layer.padding) }
    let forwardIm2col = bestTime { y = conv2dForwardByIm2col(x, weight: w, bias: b, stride: layer.stride, padding: layer.padding) }
    let backwardInput = bestTime {
        _ = conv2dBackwardInput(dy, weight: w, inputShape: layer.input, stride: layer.stride, padding: layer.padding)
    }
    let backwardWeight = bestTime {
        _ = conv2dBackwardWeight(dy, input: x, weightShape: layer.weight, stride: layer.stride, padding: layer.padding)
    }
    let gemmShare = sgemmRate(m: oc, n: batch * pixels, k: patch) / squareRate
    let result = LayerResult(name: layer.name, input: layer.input, weight: layer.weight, output: y.shape,
                             stride: layer.stride, padding: layer.padding, gflop: 2 * Double(multiplyAdds) * 1e-9,
                             forwardMs: forward * 1e3, forwardIm2colMs: forwardIm2col * 1e3, backwardInputMs: backwardInput * 1e3, backwardWeightMs: backwardWeight * 1e3,
                             forwardGflops: gflops(multiplyAdds, forward), backwardInputGflops: gflops(multiplyAdds, backwardInput),
                             backwardWeightGflops: gflops(multiplyAdds, backwardWeight), forwardGemmShare: gemmShare)
    results.append(result)
    let shape = "\(y.shape)".padding(toLength: 17, withPad: " ", startingAt: 0)
    print(layer.name.padding(toLength: 32, withPad: " ", startingAt: 0), shape,
          String(format: "%7.2f %6.1f  (%7.2f)   %7.2f %6.1f   %7.2f %6.1f   %5.0f%%",
                 result.forwardMs, result.forwardGflops, result.forwardIm2colMs, result.backwardInputMs, result.backwardInputGflops,
                 result.backwardWeightMs, result.backwardWeightGflops, 100 * gemmShare))
}

// MARK: - Whole training steps

print("")
print("training step, batch \(batch), images/s    frequentist        BBB        LRT    Flipout    LRT ÷ freq. step time")
let stepRates = trainingStepRates(batch: batch, architectures: [.lenet5, .alexnet, .threeConvThreeFC], kinds: StepKind.allCases)
var trainStep: [String: [String: Double]] = [:], trainStepBayesian: [String: [String: Double]] = [:]
for architecture in [Architecture.lenet5, .alexnet, .threeConvThreeFC] {
    func rate(_ kind: StepKind) -> Double { stepRates.first { $0.model == architecture && $0.kind == kind }!.imagesPerSecond }
    trainStep[architecture.rawValue] = ["images_per_second": rate(.frequentist)]
    trainStepBayesian[architecture.rawValue] = Dictionary(uniqueKeysWithValues: [StepKind.bbb, .lrt, .flipout].map {
        ($0.rawValue, rate($0))
    })
    print(architecture.description.padding(toLength: 32, withPad: " ", startingAt: 0),
          String(format: "%12.0f %10.0f %10.0f %10.0f %10.2f×", rate(.frequentist), rate(.bbb), rate(.lrt), rate(.flipout),
                 rate(.frequentist) / rate(.lrt)))
}

print("")
print("Monte Carlo prediction, 10 samples, LRT, batch \(batch)   images/s")
var predictionRates: [String: Double] = [:]
for architecture in [Architecture.lenet5, .alexnet] {
    predictionRates[architecture.rawValue] = predictionRate(architecture, batch: batch)
    print(architecture.description.padding(toLength: 50, withPad: " ", startingAt: 0),
          String(format: "%10.0f", predictionRates[architecture.rawValue]!))
}

// MARK: - bench.json

struct Report: Codable {
    let openblasCore: String, openblasConfig: String, openblasThreads: Int, kernelThreads: Int
    let openblasCoretypeEnvironment: String?
    let sgemmSize: Int, sgemmGflops: Double
    let batch: Int
    let layers: [LayerResult]
    /// Frequentist training steps (ReLU, cross-entropy, Adam): what bench/pytorch_reference.py compares.
    let trainStep: [String: [String: Double]]
    /// Bayesian training steps (softplus, ELBO with closed-form KL), images/s per estimator: bbb, lrt, flipout.
    let trainStepBayesian: [String: [String: Double]]
    /// Element-wise kernels, nanoseconds per value on 1.2 M values.
    let elementwiseNanoseconds: [String: Double]
    /// Monte Carlo prediction with 10 samples (LRT), images/s.
    let predictMC10: [String: Double]
    enum CodingKeys: String, CodingKey {
        case openblasCore, openblasConfig, openblasThreads, kernelThreads, openblasCoretypeEnvironment
        case sgemmSize, sgemmGflops, batch, layers, elementwiseNanoseconds = "elementwise_ns"
        case trainStep = "train_step", trainStepBayesian = "train_step_bayesian", predictMC10 = "predict_mc10"
    }
}
let report = Report(openblasCore: coreName, openblasConfig: config, openblasThreads: blasThreads, kernelThreads: kernelThreadCount,
                    openblasCoretypeEnvironment: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
                    sgemmSize: squareSize, sgemmGflops: squareRate, batch: batch, layers: results,
                    trainStep: trainStep, trainStepBayesian: trainStepBayesian, elementwiseNanoseconds: elementwise,
                    predictMC10: predictionRates)
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
do {
    try encoder.encode(report).write(to: URL(fileURLWithPath: "bench.json"), options: .atomic)
    print("\nwrote bench.json")
} catch {
    print("could not write bench.json: \(error)")
}
