# snr-cifar10-alexnet.gp — draws snr-cifar10-alexnet.png from snr-cifar10-alexnet.dat. Re-draw with: cd <this folder> && gnuplot snr-cifar10-alexnet.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'snr-cifar10-alexnet.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian AlexNet on CIFAR-10: log₁₀ |μ|/σ of every weight'
set xlabel 'log₁₀ |μ|/σ'
set ylabel 'density'
set key top left
set grid lc rgb '#dddddd'
set arrow 1 from 0.7588626618920001, graph 0 to 0.7588626618920001, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 1 '50% removed' at 0.7588626618920001, graph 0.95 right offset -0.5,0 font ',9'
set arrow 2 from 1.2172692227287705, graph 0 to 1.2172692227287705, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 2 '90% removed' at 1.2172692227287705, graph 0.8799999999999999 right offset -0.5,0 font ',9'
set arrow 3 from 1.4409731004742583, graph 0 to 1.4409731004742583, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 3 '99% removed' at 1.4409731004742583, graph 0.8099999999999999 right offset -0.5,0 font ',9'
plot 'snr-cifar10-alexnet.dat' index 0 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#1f77b4' title '2174912 weights (the lowest 0.1% left of the axis)'
