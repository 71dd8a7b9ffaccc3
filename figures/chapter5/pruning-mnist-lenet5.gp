# pruning-mnist-lenet5.gp — draws pruning-mnist-lenet5.png from pruning-mnist-lenet5.dat. Re-draw with: cd <this folder> && gnuplot pruning-mnist-lenet5.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'pruning-mnist-lenet5.png'
set output outfile
set datafile missing 'NaN'
set title 'Bayesian LeNet-5 on MNIST: test accuracy after pruning'
set xlabel 'weights removed (%)'
set ylabel 'test accuracy (%)'
set key bottom left
set grid lc rgb '#dddddd'
plot 'pruning-mnist-lenet5.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title '|μ|, no fine-tuning', \
     'pruning-mnist-lenet5.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#1f77b4' title '|μ|, fine-tuned', \
     'pruning-mnist-lenet5.dat' index 2 using 1:2 with points pt 7 ps 0.9 lc rgb '#1f77b4' notitle, \
     'pruning-mnist-lenet5.dat' index 3 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title '|μ|/σ (SNR), no fine-tuning', \
     'pruning-mnist-lenet5.dat' index 4 using 1:2 with lines lw 2.0 dt 2 lc rgb '#ff7f0e' title '|μ|/σ (SNR), fine-tuned', \
     'pruning-mnist-lenet5.dat' index 5 using 1:2 with points pt 7 ps 0.9 lc rgb '#ff7f0e' notitle, \
     'pruning-mnist-lenet5.dat' index 6 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'L1-trained, |μ|, no fine-tuning', \
     'pruning-mnist-lenet5.dat' index 7 using 1:2 with points pt 9 ps 1.6 lc rgb '#2ca02c' title 'L1 route: |μ| < 0.01 cut, fine-tuned'
