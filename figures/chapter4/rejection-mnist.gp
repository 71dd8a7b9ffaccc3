# rejection-mnist.gp — draws rejection-mnist.png from rejection-mnist.dat. Re-draw with: cd <this folder> && gnuplot rejection-mnist.gp
set terminal pngcairo size 560,420 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'rejection-mnist.png'
set output outfile
set datafile missing 'NaN'
set title 'MNIST: accuracy after rejecting the most uncertain'
set xlabel 'fraction rejected'
set ylabel 'accuracy on the kept images (%)'
set key bottom right
set grid lc rgb '#dddddd'
plot 'rejection-mnist.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian, predictive entropy', \
     'rejection-mnist.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#2ca02c' title 'Bayesian, epistemic (trace)', \
     'rejection-mnist.dat' index 2 using 1:2 with lines lw 2.0 dt 2 lc rgb '#9467bd' title 'Bayesian, aleatoric (trace)', \
     'rejection-mnist.dat' index 3 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'frequentist, softmax entropy'
