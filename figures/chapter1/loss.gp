# loss.gp — draws loss.png from loss.dat. Re-draw with: cd <this folder> && gnuplot loss.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'loss.png'
set output outfile
set datafile missing 'NaN'
set title 'ELBO loss during training (one Monte Carlo sample per step)'
set xlabel 'epoch (log scale)'
set ylabel 'nats'
set key top right
set grid lc rgb '#dddddd'
set logscale x 10.0
set yrange [-22.00009536743164:11706.7216796875]
plot 'loss.dat' index 0 using 1:2 with lines lw 2.0 title 'loss = NLL + KL', \
     'loss.dat' index 1 using 1:2 with lines lw 1.0 title 'NLL = −log-likelihood (sum over the 6 points)', \
     'loss.dat' index 2 using 1:2 with lines lw 1.0 title 'KL ≈ log q(w) − log p(w)'
