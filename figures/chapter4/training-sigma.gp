# training-sigma.gp — draws training-sigma.png from training-sigma.dat. Re-draw with: cd <this folder> && gnuplot training-sigma.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'training-sigma.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian LeNet-5: mean posterior σ of each layer''s weights'
set xlabel 'epoch'
set ylabel 'mean σ'
set key top left
set grid lc rgb '#dddddd'
plot 'training-sigma.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'MNIST, conv1', \
     'training-sigma.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#1f77b4' title 'CIFAR-10, conv1', \
     'training-sigma.dat' index 2 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'MNIST, conv2', \
     'training-sigma.dat' index 3 using 1:2 with lines lw 2.0 dt 2 lc rgb '#ff7f0e' title 'CIFAR-10, conv2', \
     'training-sigma.dat' index 4 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'MNIST, fc1', \
     'training-sigma.dat' index 5 using 1:2 with lines lw 2.0 dt 2 lc rgb '#2ca02c' title 'CIFAR-10, fc1', \
     'training-sigma.dat' index 6 using 1:2 with lines lw 2.0 lc rgb '#d62728' title 'MNIST, fc2', \
     'training-sigma.dat' index 7 using 1:2 with lines lw 2.0 dt 2 lc rgb '#d62728' title 'CIFAR-10, fc2', \
     'training-sigma.dat' index 8 using 1:2 with lines lw 2.0 lc rgb '#9467bd' title 'MNIST, fc3', \
     'training-sigma.dat' index 9 using 1:2 with lines lw 2.0 dt 2 lc rgb '#9467bd' title 'CIFAR-10, fc3'
