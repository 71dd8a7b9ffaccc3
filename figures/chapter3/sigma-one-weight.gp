# sigma-one-weight.gp — draws sigma-one-weight.png from sigma-one-weight.dat. Re-draw with: cd <this folder> && gnuplot sigma-one-weight.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'sigma-one-weight.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian LeNet-5 on MNIST: σ of one first-layer weight'
set xlabel 'epoch'
set ylabel 'posterior σ'
set key top right
set grid lc rgb '#dddddd'
plot 'sigma-one-weight.dat' index 0 using 1:2 with lines lw 2.0 title 'σ of the chosen weight', \
     'sigma-one-weight.dat' index 1 using 1:2 with lines lw 2.0 dt 2 title 'mean σ of the first layer'
