# training-uncertainty.gp — draws training-uncertainty.png from training-uncertainty.dat. Re-draw with: cd <this folder> && gnuplot training-uncertainty.gp
set terminal pngcairo size 900,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'training-uncertainty.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian LeNet-5: mean uncertainty per class after each epoch'
set xlabel 'epoch'
set ylabel 'mean of the diagonal (softmax)'
set key outside right top
set grid lc rgb '#dddddd'
set logscale y 10.0
set format y '%g'
plot 'training-uncertainty.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'MNIST val., aleatoric', \
     'training-uncertainty.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#1f77b4' title 'MNIST val., epistemic', \
     'training-uncertainty.dat' index 2 using 1:2 with lines lw 2.0 lc rgb '#d62728' title 'notMNIST, aleatoric', \
     'training-uncertainty.dat' index 3 using 1:2 with lines lw 2.0 dt 2 lc rgb '#d62728' title 'notMNIST, epistemic', \
     'training-uncertainty.dat' index 4 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'CIFAR-10 val., aleatoric', \
     'training-uncertainty.dat' index 5 using 1:2 with lines lw 2.0 dt 2 lc rgb '#2ca02c' title 'CIFAR-10 val., epistemic'
