# snr-cifar10-lenet5.gp — draws snr-cifar10-lenet5.png from snr-cifar10-lenet5.dat. Re-draw with: cd <this folder> && gnuplot snr-cifar10-lenet5.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'snr-cifar10-lenet5.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian LeNet-5 on CIFAR-10: log₁₀ |μ|/σ of every weight'
set xlabel 'log₁₀ |μ|/σ'
set ylabel 'density'
set key top left
set grid lc rgb '#dddddd'
set arrow 1 from 0.7235254624358144, graph 0 to 0.7235254624358144, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 1 '50% removed' at 0.7235254624358144, graph 0.95 right offset -0.5,0 font ',9'
set arrow 2 from 1.1685695440801656, graph 0 to 1.1685695440801656, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 2 '90% removed' at 1.1685695440801656, graph 0.8799999999999999 right offset -0.5,0 font ',9'
set arrow 3 from 1.3980946177104485, graph 0 to 1.3980946177104485, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 3 '99% removed' at 1.3980946177104485, graph 0.8099999999999999 right offset -0.5,0 font ',9'
plot 'snr-cifar10-lenet5.dat' index 0 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#1f77b4' title '61770 weights (the lowest 0.1% left of the axis)'
