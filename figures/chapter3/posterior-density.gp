# posterior-density.gp — draws posterior-density.png from posterior-density.dat. Re-draw with: cd <this folder> && gnuplot posterior-density.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'posterior-density.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian LeNet-5 on MNIST: q(w) of one first-layer weight'
set xlabel 'w'
set ylabel 'density'
set key top right
set grid lc rgb '#dddddd'
plot 'posterior-density.dat' index 0 using 1:2 with lines lw 2.0 title 'initial: μ = 0.0478, σ = 0.0063', \
     'posterior-density.dat' index 1 using 1:2 with lines lw 2.0 title 'epoch 1: μ = -0.0561, σ = 0.0062', \
     'posterior-density.dat' index 2 using 1:2 with lines lw 2.0 title 'epoch 3: μ = -0.1662, σ = 0.0063', \
     'posterior-density.dat' index 3 using 1:2 with lines lw 2.0 title 'epoch 7: μ = -0.2373, σ = 0.0071', \
     'posterior-density.dat' index 4 using 1:2 with lines lw 2.0 title 'epoch 15: μ = -0.3098, σ = 0.0093'
