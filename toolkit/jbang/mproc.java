//SOURCES ../core/src/main/java/mproc/*.java
//SOURCES ../tutorial/src/main/java/mproc/tutorial/*.java
//SOURCES ../tutorial/src/main/java/mproc/cli/*.java
//SOURCES ../report/src/main/java/mproc/report/*.java
//SOURCES ../ignite/src/main/java/mproc/cluster/*.java
//FILES mproc/tutorial/python_pool.py=../tutorial/src/main/resources/mproc/tutorial/python_pool.py
//FILES mproc/tutorial/python_ipc.py=../tutorial/src/main/resources/mproc/tutorial/python_ipc.py
//FILES mproc/tutorial/python_start_methods.py=../tutorial/src/main/resources/mproc/tutorial/python_start_methods.py
//FILES mproc/cluster/ignite.jvmopts=../ignite/src/main/resources/mproc/cluster/ignite.jvmopts
//DEPS tech.tablesaw:tablesaw-core:0.44.4
//DEPS org.knowm.xchart:xchart:3.8.8
//DEPS info.picocli:picocli:4.7.7
//DEPS me.tongfei:progressbar:0.10.2
//DEPS org.slf4j:slf4j-nop:2.0.20
//DEPS org.apache.ignite:ignite-core:2.18.0
//JAVAC_OPTIONS -XDstringConcat=inline -XDsuppressNotes
/** The toolkit as a JBang source dependency: a script's `//DEPS ../toolkit/jbang/mproc.java` compiles it from this clone. */
class mproc {
}
