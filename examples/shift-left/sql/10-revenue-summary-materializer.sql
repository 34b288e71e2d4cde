SET 'client.statement-name' = 'revenue-summary-materializer';
INSERT INTO incremental_revenue
    SELECT
      window_start,
      window_end,
      SUM(amount) AS total_revenue
    FROM
       TABLE(
         TUMBLE(TABLE sales, DESCRIPTOR(`ts`), INTERVAL '10' SECONDS)
       )
   GROUP BY
     window_start,
     window_end;
