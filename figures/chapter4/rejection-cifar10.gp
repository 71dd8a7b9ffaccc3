# rejection-cifar10.gp — draws rejection-cifar10.png from rejection-cifar10.dat. Re-draw with: cd <this folder> && gnuplot rejection-cifar10.gp
set terminal pngcairo size 560,420 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'rejection-cifar10.png'
set output outfile
set datafile missing 'NaN'
set title 'CIFAR-10: accuracy after rejecting the most uncertain'
set xlabel 'fraction rejected'
set ylabel 'accuracy on the kept images (%)'
set key bottom right
set grid lc rgb '#dddddd'
plot 'rejection-cifar10.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian, predictive entropy', \
     'rejection-cifar10.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#2ca02c' title 'Bayesian, epistemic (trace)', \
     'rejection-cifar10.dat' index 2 using 1:2 with lines lw 2.0 dt 2 lc rgb '#9467bd' title 'Bayesian, aleatoric (trace)', \
     'rejection-cifar10.dat' index 3 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'frequentist, softmax entropy'
