# snr-mnist-alexnet.gp — draws snr-mnist-alexnet.png from snr-mnist-alexnet.dat. Re-draw with: cd <this folder> && gnuplot snr-mnist-alexnet.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'snr-mnist-alexnet.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian AlexNet on MNIST: log₁₀ |μ|/σ of every weight'
set xlabel 'log₁₀ |μ|/σ'
set ylabel 'density'
set key top left
set grid lc rgb '#dddddd'
set arrow 1 from 0.8134819657972497, graph 0 to 0.8134819657972497, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 1 '50% removed' at 0.8134819657972497, graph 0.95 right offset -0.5,0 font ',9'
set arrow 2 from 1.2824935002315154, graph 0 to 1.2824935002315154, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 2 '90% removed' at 1.2824935002315154, graph 0.8799999999999999 right offset -0.5,0 font ',9'
set arrow 3 from 1.5045595582899975, graph 0 to 1.5045595582899975, graph 1 nohead lw 2 dt 2 lc rgb '#d62728'
set label 3 '99% removed' at 1.5045595582899975, graph 0.8099999999999999 right offset -0.5,0 font ',9'
plot 'snr-mnist-alexnet.dat' index 0 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#1f77b4' title '2159424 weights (the lowest 0.1% left of the axis)'
