"""networkx: shortest path and pagerank on a small graph."""
import networkx as nx
g = nx.Graph([(1, 2), (2, 3), (3, 4), (1, 4), (4, 5)])
print(nx.shortest_path(g, 1, 5), sorted((k, round(v, 3)) for k, v in nx.pagerank(g).items()))
